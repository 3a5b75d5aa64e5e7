// More transactions than connections: a request whose transaction cannot start in time (Prisma P2028)
// is a 503 with Retry-After, not a 500, and the service answers again once the pool frees up.
import { Client } from 'pg';
import request from 'supertest';
import { waitFor } from '../../platform/test/support/wait';
import { createLogger, createMetricsRegistry } from '@stockstream/platform';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { createInventoryApp } from '../src/http/app';
import { newRecord } from './support/inventory-api';

let database: TestDatabase;
let db: InventoryDb;
let http: ReturnType<typeof request>;

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  db = createInventoryDb(database.url, { poolSize: 1 });
  http = request(
    createInventoryApp({ db, logger: createLogger('inventory-api-test', 'silent'), metrics: createMetricsRegistry('inventory-api') }),
  );
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

test('when no connection frees up for a transaction in time, the answer is a 503 with Retry-After', async () => {
  const record = newRecord();
  await http.post('/api/inventory').send(record).expect(201);
  // Another client locks the record, so the next adjustment holds the pool's only connection, waiting.
  const locker = new Client({ connectionString: database.url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('SELECT 1 FROM inventory_items WHERE product_id = $1 FOR UPDATE', [record.productId]);
  const held = http.post(`/api/inventory/${record.productId}/adjustments`).send({ delta: 1, reason: 'restock' });
  const heldAnswer = held.then((res) => res);
  // Observed, not slept: the adjustment waits on the lock, holding the pool's only connection.
  await waitFor('the adjustment waiting on the lock', async () => {
    const waiting = await locker.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    return waiting.rowCount === 1;
  });

  const starved = await http.post('/api/inventory').send(newRecord());
  expect(starved.status).toBe(503);
  expect(starved.headers['retry-after']).toBe('5');
  expect(starved.type).toBe('application/problem+json');

  await locker.query('ROLLBACK');
  await locker.end();
  expect((await heldAnswer).status).toBe(200);
  await http.post('/api/inventory').send(newRecord()).expect(201);
});
