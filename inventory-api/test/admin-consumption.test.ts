// Pause and resume over HTTP, behind the admin key: the state the workers read, kept in Redis beside the
// product stream.
import { connectTestRedis } from '../../platform/test/support/redis-client';
import type { RedisClient } from '@stockstream/platform';
import { testDeadLetterStreams } from './support/dead-letters';
import { startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

const API_KEY = 'test-admin-key-0123456789';
const streams = testDeadLetterStreams();
let redis: RedisClient;
let api: InventoryApiHarness;

beforeAll(async () => {
  redis = await connectTestRedis();
  api = await startInventoryApi({ redis, apiKey: API_KEY, deadLetterStream: streams.deadLetterStream, productStream: streams.stream });
});
afterAll(async () => {
  await api.close();
  await redis.del(`${streams.stream}:consumption`);
  await redis.close();
});

const admin = (method: 'get' | 'post', path: string) => api.http[method](path).set('X-API-Key', API_KEY);

test('pause with a reason, read the state, resume: each answer is the state', async () => {
  expect((await admin('get', '/admin/consumption').expect(200)).body).toEqual({ paused: false, reason: null, by: null, at: null });
  const paused = await admin('post', '/admin/consumption/pause').send({ reason: 'bad deploy' }).expect(200);
  expect(paused.body).toMatchObject({ paused: true, reason: 'bad deploy', by: 'admin', at: expect.any(String) });
  expect(await redis.hGet(`${streams.stream}:consumption`, 'paused')).toBe('1');
  // Pausing again keeps the first pause's reason and time.
  const again = await admin('post', '/admin/consumption/pause').send({ reason: 'another' }).expect(200);
  expect(again.body).toEqual(paused.body);
  expect((await admin('get', '/admin/consumption').expect(200)).body).toEqual(paused.body);
  expect((await admin('post', '/admin/consumption/resume').expect(200)).body).toMatchObject({ paused: false });
  expect(await redis.exists(`${streams.stream}:consumption`)).toBe(0);
});

test('without the key it is a 401, a wrong body a 400 naming the field, and nothing changes', async () => {
  await api.http.post('/admin/consumption/pause').expect(401);
  const wrong = await admin('post', '/admin/consumption/pause').send({ reason: 'x', why: 'y' }).expect(400);
  expect(wrong.type).toBe('application/problem+json');
  expect(JSON.stringify(wrong.body.errors)).toContain('why');
  expect((await admin('get', '/admin/consumption').expect(200)).body).toMatchObject({ paused: false });
});
