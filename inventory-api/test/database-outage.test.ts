// The database goes away under inventory-api (a proxy in front of it is cut, then restored): every route
// answers 503 with Retry-After, readiness is false, and the outage is two log lines, not one per request.
import request from 'supertest';
import { createLogger, createMetricsRegistry } from '@stockstream/platform';
import { createInventoryDb } from '@stockstream/prisma';
import type { InventoryDb } from '@stockstream/prisma';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { captureLogLines, waitForLine } from '../../platform/test/support/log-lines';
import type { LogLine } from '../../platform/test/support/log-lines';
import { proxyInFrontOf } from '../../platform/test/support/tcp-proxy';
import { expectEachUnavailable } from '../../platform/test/support/unavailable';
import type { TcpProxy } from '../../platform/test/support/tcp-proxy';
import { createInventoryApp } from '../src/http/app';
import { newRecord } from './support/inventory-api';

let database: TestDatabase;
let proxy: TcpProxy;
let db: InventoryDb;
let http: ReturnType<typeof request>;
let lines: LogLine[] = [];

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  const proxied = await proxyInFrontOf(database.url);
  proxy = proxied.proxy;
  db = createInventoryDb(proxied.url, { poolSize: 4 });
  const logger = createLogger('inventory-api-test', 'info');
  lines = captureLogLines(logger);
  http = request(createInventoryApp({ db, logger, metrics: createMetricsRegistry('inventory-api') }));
});
afterAll(async () => {
  await proxy.up().catch(() => undefined);
  await db.$disconnect();
  await proxy.down();
  await database.drop();
});

test('while the database refuses connections every route is a 503 with Retry-After, logged once when it starts and once when it ends', async () => {
  await http.get('/api/inventory').expect(200);
  await proxy.down();

  const record = newRecord();
  const refused = [
    http.get('/api/inventory'),
    http.get(`/api/inventory/${record.productId}`),
    http.post('/api/inventory').send(record),
    http.post('/api/inventory').set('Idempotency-Key', 'outage-1').send(record),
    http.post(`/api/inventory/${record.productId}/adjustments`).send({ delta: 1, reason: 'restock' }),
    http.post(`/api/inventory/${record.productId}/reservations`).send({ quantity: 1, reference: 'order-1' }),
    http.delete(`/api/inventory/${record.productId}/reservations/order-1`),
  ];
  await expectEachUnavailable(refused);
  await http.get('/health/ready').expect(503);

  await proxy.up();
  await waitForLine(lines, /database available again/);
  await http.get('/api/inventory').expect(200);
  await http.get('/health/ready').expect(200);

  const outageLines = lines.filter((line) => line.level !== 'info' || /available|unavailable/.test(line.message));
  expect(outageLines.map((line) => line.message)).toEqual([
    'database unavailable; answering 503 until it is back',
    'database available again',
  ]);
  expect(outageLines[1]).toMatchObject({ refusedRequests: refused.length });
  expect(lines.some((line) => 'stack' in line)).toBe(false);
});
