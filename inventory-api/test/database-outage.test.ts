// The database goes away under inventory-api in each of the ways it does in production (taken offline,
// dropped, a role refused, sessions terminated, the pool exhausted, the server stopped): every route
// answers 503 with Retry-After, readiness is false while it lasts, and the outage is two log lines, not
// one per request, with no stack.
import request from 'supertest';
import { createLogger, createMetricsRegistry } from '@stockstream/platform';
import { createPool } from '@stockstream/prisma';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { SqlPool } from '@stockstream/prisma';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { captureLogLines } from '../../platform/test/support/log-lines';
import type { LogLine } from '../../platform/test/support/log-lines';
import { drillDatabaseFault } from '../../platform/test/support/outage-drill';
import { DatabaseFaults } from '../../prisma/test/support/database-faults';
import type { DatabaseFault } from '../../prisma/test/support/database-faults';
import { createInventoryApp } from '../src/http/app';
import { newRecord } from './support/inventory-api';

const POOL_SIZE = 10;
let database: TestDatabase;
let faults: DatabaseFaults;
let pool: SqlPool;
let db: InventoryDb;
let http: ReturnType<typeof request>;
let lines: LogLine[] = [];

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  faults = await DatabaseFaults.around(database);
  pool = createPool(faults.url, { poolSize: POOL_SIZE, connectTimeoutMs: 500 });
  db = createInventoryDb(pool);
  const logger = createLogger('inventory-api-test', 'info');
  lines = captureLogLines(logger);
  http = request(createInventoryApp({ db, logger, metrics: createMetricsRegistry('inventory-api') }));
});
afterAll(async () => {
  await db.$disconnect();
  await pool.end();
  await faults.close();
  await database.drop();
});

const ROUTES = 10;
const drills: Record<string, () => DatabaseFault> = {
  'the database is taken offline (ALLOW_CONNECTIONS false)': () => faults.offline,
  'the database is dropped, then recreated': () => faults.dropped,
  "the role's LOGIN is revoked": () => faults.loginRevoked,
  'sessions are terminated mid-statement': () =>
    faults.terminatedInFlight(ROUTES, ['inventory_items', 'reservations', 'stock_adjustments', 'idempotent_requests']),
  'the pool is exhausted': () => faults.poolExhausted(pool, POOL_SIZE),
  'the server stops': () => faults.serverStopped,
};

test.each(Object.keys(drills))('when %s, every route is a 503 with Retry-After, the outage two log lines and no stack', async (name) => {
  const existing = newRecord();
  await http.post('/api/inventory').send(existing).expect(201);
  const record = newRecord();
  const calls = () => [
    http.get('/api/inventory'),
    http.get(`/api/inventory/${existing.productId}`),
    http.post('/api/inventory').send(record),
    http.post('/api/inventory').set('Idempotency-Key', `outage-${record.productId}`).send(record),
    http.put(`/api/inventory/${existing.productId}`).send({ quantity: 7 }),
    http.post(`/api/inventory/${existing.productId}/adjustments`).send({ delta: 1, reason: 'restock' }),
    http.get(`/api/inventory/${existing.productId}/reservations`),
    http.post(`/api/inventory/${existing.productId}/reservations`).send({ quantity: 1, reference: 'order-1' }),
    http.delete(`/api/inventory/${existing.productId}/reservations/order-1`),
    http.delete(`/api/inventory/${existing.productId}`),
  ];
  expect(calls()).toHaveLength(ROUTES);
  await drillDatabaseFault(drills[name]!(), { http, lines, calls, afterwards: '/api/inventory' });
});
