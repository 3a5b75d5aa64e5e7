// What every process needs: logging, config, shutdown, Redis, metrics, listening. The Express pieces the
// APIs share are in `@stockstream/platform/http`, so that the worker loads none of Express, helmet or
// Swagger UI (bench/history/2026-11-performance-notebook.md, Memory).
export * from './context';
export * from './logger';
export * from './config';
export * from './shutdown';
export * from './redis';
export type { RedisClient } from './redis-clients';
export { isRedisConnectionError } from './redis-clients';
export * from './serve';
export * from './keyset-cursor';
export * from './metrics';
export * from './free-port';
export * from './stream-ids';
export * from './recurring-failure';
export * from './memory';
export * from './admin-key';
export * from './cli-actor';
export * from './exit-when-flushed';
export * from './tracing';
export * from './start-tracing';
export * from './redis-connection';
export * from './redis-options';
export * from './redis-acl';
