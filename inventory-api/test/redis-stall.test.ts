// Redis stops answering under inventory-api with its socket still open (SIGSTOP on a private
// redis-server: a stuck primary or a network partition): the dead-letter routes and page answer 503 with
// Retry-After while it is still stopped instead of hanging until it resumes, readiness says so, and the
// stall is logged once when it starts and once when it ends.
import request from 'supertest';
import { createLogger, createMetricsRegistry, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { captureLogLines, waitForLine } from '../../platform/test/support/log-lines';
import type { LogLine } from '../../platform/test/support/log-lines';
import { PrivateRedis } from '../../platform/test/support/redis-server';
import { expectEachUnavailable } from '../../platform/test/support/unavailable';
import { createInventoryApp } from '../src/http/app';
import { inventoryAdmin } from '../src/admin/inventory-admin';
import { loadConfig } from '../src/config';

// The page's settings as shipped.
const { CONSUMER_GROUP, ADMIN_PAGE_REFRESH_SECONDS } = loadConfig({});
import { testDeadLetterStreams } from './support/dead-letters';

const API_KEY = 'test-admin-key-0123456789';
let server: PrivateRedis;
let redis: RedisClient;
let database: TestDatabase;
let db: InventoryDb;
let http: ReturnType<typeof request>;
let lines: LogLine[] = [];

beforeAll(async () => {
  server = await PrivateRedis.start();
  const logger = createLogger('inventory-api-test', 'info');
  lines = captureLogLines(logger);
  redis = createRedisClient({ url: server.url, logger, name: 'inventory-api-test', failFast: true, commandTimeoutMs: 500 });
  await redis.connect();
  database = await createTestDatabase('inventory');
  db = createInventoryDb(database.url, { poolSize: 2 });
  const { deadLetterStream, stream } = testDeadLetterStreams();
  http = request(
    createInventoryApp({
      db,
      logger,
      redis,
      admin: inventoryAdmin(
        { db, redis, logger },
        {
          keys: [{ name: 'admin', key: API_KEY }],
          deadLetterStream,
          productStream: stream,
          group: CONSUMER_GROUP,
          refreshSeconds: ADMIN_PAGE_REFRESH_SECONDS,
          secureCookie: false,
        },
      ),
      metrics: createMetricsRegistry('inventory-api'),
    }),
  );
});
afterAll(async () => {
  server.resume();
  await db.$disconnect();
  await database.drop();
  if (redis.isOpen) await redis.close();
  await server.down();
});

test('while Redis is stalled the dead-letter routes answer 503 before it resumes, readiness is degraded, the stall is two lines', async () => {
  await http.get('/admin/dlq').set('X-API-Key', API_KEY).expect(200);
  const signIn = await http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(303);
  const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
  const from = lines.length;

  server.stall();
  // Sent while it is stopped, answered while it is still stopped: nothing waits for the stall to end.
  await expectEachUnavailable([
    http.get('/admin/dlq').set('X-API-Key', API_KEY),
    http.get('/admin/dlq/1-0').set('X-API-Key', API_KEY),
    http.get('/admin').set('Cookie', cookie),
  ]);
  const ready = await http.get('/health/ready').expect(200);
  expect(ready.body).toMatchObject({ status: 'degraded', checks: { database: { ok: true }, redis: { ok: false } } });
  await http.get('/api/inventory').expect(200);

  server.resume();
  await waitForLine(lines, /redis available again/, from);
  await http.get('/admin/dlq').set('X-API-Key', API_KEY).expect(200);
  expect((await http.get('/health/ready').expect(200)).body).toMatchObject({ status: 'ready' });

  const during = lines.slice(from);
  expect(during.filter((line) => line.level !== 'info' || /redis/.test(line.message)).map((line) => line.message)).toEqual([
    'redis not answering; reconnecting',
    'redis unavailable; answering 503 until it is back',
    'redis connection back',
    'redis available again',
  ]);
  expect(during.some((line) => 'stack' in line)).toBe(false);
});
