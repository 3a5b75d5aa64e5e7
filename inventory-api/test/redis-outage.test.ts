// Redis goes away under inventory-api: the dead-letter routes (the only ones that use it) answer 503 with
// Retry-After, the stock routes go on, and readiness says "degraded".
import { createLogger, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { PrivateRedis } from '../../platform/test/support/redis-server';
import { waitFor } from '../../platform/test/support/wait';
import { testDeadLetterStreams } from './support/dead-letters';
import { startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

const API_KEY = 'test-admin-key-0123456789';
let server: PrivateRedis;
let redis: RedisClient;
let api: InventoryApiHarness;

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = createRedisClient({ url: server.url, logger: createLogger('test', 'silent'), name: 'test', failFast: true });
  await redis.connect();
  const streams = testDeadLetterStreams();
  api = await startInventoryApi({ redis, apiKey: API_KEY, deadLetterStream: streams.deadLetterStream, productStream: streams.stream });
});
afterAll(async () => {
  await api.close();
  await server.up().catch(() => undefined);
  await waitFor('redis back', () => redis.isReady);
  await redis.close();
  await server.down();
});

test('while Redis is away /admin/dlq answers 503 with Retry-After, stock routes still answer, readiness is degraded', async () => {
  await api.http.get('/admin/dlq').set('X-API-Key', API_KEY).expect(200);
  await server.down();
  await waitFor('the client to notice', () => !redis.isReady);

  const res = await api.http.get('/admin/dlq').set('X-API-Key', API_KEY);
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.body).toMatchObject({ type: expect.stringContaining('/unavailable'), detail: expect.stringContaining('redis') });
  await api.http.get('/api/inventory').expect(200);
  expect((await api.http.get('/health/ready').expect(200)).body).toMatchObject({ status: 'degraded', checks: { redis: { ok: false } } });
});
