import { createLogger } from '../../src/logger';
import { createRedisClient } from '../../src/redis';
import type { RedisClient } from '../../src/redis-clients';
import { TEST_LOG_LEVEL } from './log-level';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A connected client for a test's own commands (seeding streams, reading what a service wrote). */
export async function connectTestRedis({
  url = TEST_REDIS_URL,
  failFast = true,
}: { url?: string; failFast?: boolean } = {}): Promise<RedisClient> {
  const redis = createRedisClient({ url, logger: createLogger('test', TEST_LOG_LEVEL), name: 'test', failFast });
  await redis.connect();
  return redis;
}
