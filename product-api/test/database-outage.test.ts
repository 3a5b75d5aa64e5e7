// The database goes away under product-api in each of the ways it does in production (taken offline,
// dropped, a role refused, sessions terminated, the pool exhausted, the server stopped): the routes that
// go through Prisma and those that go straight to the pool alike answer 503 with Retry-After, the outage
// is logged once when it starts and once when it ends, and no line carries a stack.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createLogger, createMetricsRegistry, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { createPool } from '@stockstream/prisma';
import { createProductDb } from '@stockstream/prisma/product';
import type { SqlPool } from '@stockstream/prisma';
import type { ProductDb } from '@stockstream/prisma/product';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { captureLogLines } from '../../platform/test/support/log-lines';
import type { LogLine } from '../../platform/test/support/log-lines';
import { drillDatabaseFault } from '../../platform/test/support/outage-drill';
import { DatabaseFaults } from '../../prisma/test/support/database-faults';
import type { DatabaseFault } from '../../prisma/test/support/database-faults';
import { createProductApp } from '../src/http/app';
import { OutboxRelay } from '../src/relay/outbox-relay';
import { TEST_REDIS_URL, validProduct } from './support/product-api';

const POOL_SIZE = 8;
let database: TestDatabase;
let faults: DatabaseFaults;
let sql: SqlPool;
let db: ProductDb;
let redis: RedisClient;
let relay: OutboxRelay;
let http: ReturnType<typeof request>;
const stream = `test-${randomUUID()}`;
let lines: LogLine[] = [];

beforeAll(async () => {
  database = await createTestDatabase('product');
  faults = await DatabaseFaults.around(database);
  sql = createPool(faults.url, { poolSize: POOL_SIZE, connectTimeoutMs: 500 });
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
  await relay.stop();
  await db.$disconnect();
  await sql.end();
  await redis.del([stream, `${stream}:epoch`]);
  await redis.close();
  await faults.close();
  await database.drop();
});

const drills: Record<string, () => DatabaseFault> = {
  'the database is taken offline (ALLOW_CONNECTIONS false)': () => faults.offline,
  'the database is dropped, then recreated': () => faults.dropped,
  "the role's LOGIN is revoked": () => faults.loginRevoked,
  'sessions are terminated mid-statement': () => faults.terminatedInFlight(5, ['products']),
  'the pool is exhausted': () => faults.poolExhausted(sql, POOL_SIZE),
  'the server stops': () => faults.serverStopped,
};

test.each(Object.keys(drills))('when %s, every route is a 503 with Retry-After, the outage two log lines and no stack', async (name) => {
  const existing = (await http.post('/api/products').send(validProduct()).expect(201)).body as { id: string };
  await drillDatabaseFault(drills[name]!(), {
    http,
    lines,
    afterwards: '/api/products',
    calls: () => [
      http.get(`/api/products/${existing.id}`),
      http.post('/api/products').send(validProduct()),
      http.get('/api/products'),
      http.put(`/api/products/${existing.id}`).send(validProduct()),
      http.delete(`/api/products/${existing.id}`),
    ],
  });
});
