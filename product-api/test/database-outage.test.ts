// The database goes away under product-api (a proxy in front of it is cut, then restored): the routes
// that go through Prisma and those that go straight to the pool alike answer 503 with Retry-After,
// readiness is false, the relay waits, and the outage is logged once when it starts and once when it ends.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createLogger, createMetricsRegistry, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { createPool, createProductDb } from '@stockstream/prisma';
import type { ProductDb, SqlPool } from '@stockstream/prisma';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { captureLogLines, waitForLine } from '../../platform/test/support/log-lines';
import type { LogLine } from '../../platform/test/support/log-lines';
import { proxyInFrontOf } from '../../platform/test/support/tcp-proxy';
import { expectEachUnavailable } from '../../platform/test/support/unavailable';
import type { TcpProxy } from '../../platform/test/support/tcp-proxy';
import { createProductApp } from '../src/http/app';
import { OutboxRelay } from '../src/relay/outbox-relay';
import { TEST_REDIS_URL, validProduct } from './support/product-api';

let database: TestDatabase;
let proxy: TcpProxy;
let sql: SqlPool;
let db: ProductDb;
let redis: RedisClient;
let relay: OutboxRelay;
let http: ReturnType<typeof request>;
const stream = `test-${randomUUID()}`;
let lines: LogLine[] = [];

beforeAll(async () => {
  database = await createTestDatabase('product');
  const proxied = await proxyInFrontOf(database.url);
  proxy = proxied.proxy;
  sql = createPool(proxied.url, { poolSize: 4 });
  db = createProductDb(sql);
  const logger = createLogger('product-api-test', 'info');
  lines = captureLogLines(logger);
  redis = createRedisClient({ url: TEST_REDIS_URL, logger, name: 'product-api-test', failFast: true });
  await redis.connect();
  const options = {
    stream,
    maxLen: 100_000,
    batchSize: 100,
    lingerMs: 5,
    sweepIntervalMs: 200,
    retentionMs: 60_000,
    brokerCheckIntervalMs: 200,
  };
  relay = new OutboxRelay(db, sql, redis, options, logger);
  http = request(createProductApp({ db, sql, redis, logger, relay, metrics: createMetricsRegistry('product-api') }));
  relay.start();
});
afterAll(async () => {
  await proxy.up().catch(() => undefined);
  await relay.stop();
  await db.$disconnect();
  await sql.end();
  await redis.del([stream, `${stream}:epoch`]);
  await redis.close();
  await proxy.down();
  await database.drop();
});

test('while the database refuses connections every route is a 503 with Retry-After, logged once when it starts and once when it ends', async () => {
  const existing = (await http.post('/api/products').send(validProduct()).expect(201)).body as { id: string };
  await proxy.down();

  const refused = [
    http.get(`/api/products/${existing.id}`),
    http.post('/api/products').send(validProduct()),
    http.get('/api/products'),
    http.put(`/api/products/${existing.id}`).send(validProduct()),
    http.delete(`/api/products/${existing.id}`),
  ];
  await expectEachUnavailable(refused);
  await http.get('/health/ready').expect(503);
  // Long enough for the relay's sweeps (every 200 ms here) and publishes to fail again and again.
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  await proxy.up();
  await waitForLine(lines, /database available again/);
  await http.get(`/api/products/${existing.id}`).expect(200);
  await http.post('/api/products').send(validProduct()).expect(201);
  await http.get('/health/ready').expect(200);

  const outageLines = lines.filter((line) => /database (unavailable|available again)/.test(line.message));
  expect(outageLines.map((line) => line.message)).toEqual([
    'database unavailable; answering 503 until it is back',
    'database available again',
  ]);
  expect(outageLines[1]).toMatchObject({ refusedRequests: refused.length });
  // The relay's tasks, failing meanwhile at each attempt, each say so once (and once that they work again).
  const warnings = lines.filter((line) => line.level === 'warn').map((line) => line.message);
  expect(warnings).toContain('could not delete published outbox rows; will retry');
  expect(warnings.length).toBe(new Set(warnings).size);
  await waitForLine(lines, /deleting published outbox rows again/);
  expect(lines.some((line) => 'stack' in line)).toBe(false);
});
