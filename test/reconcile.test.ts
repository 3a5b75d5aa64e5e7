// Reconcile finds drift between products and inventory records (a lost create, a lost delete, a lost
// update), and --repair fixes it through the outbox and the stream: the worker applies the repair.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { Client } from 'pg';
import type { ReconcileReport } from '@stockstream/contracts';
import { createLogger, createMetricsRegistry } from '@stockstream/platform';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { startProductApi, validProduct } from '../product-api/test/support/product-api';
import type { ProductApiHarness } from '../product-api/test/support/product-api';
import { consumerOptions, startWorker, testStreams } from '../inventory-worker/test/support/worker';
import type { InProcessWorker } from '../inventory-worker/test/support/worker';
import { waitFor } from '../platform/test/support/wait';
import { createInventoryApp } from '../inventory-api/src/http/app';

const API_KEY = 'reconcile-admin-key-0123456789';
const CLI = path.join(__dirname, '..', 'product-api', 'dist', 'reconcile', 'cli.js');
let inventoryDatabase: TestDatabase;
let api: ProductApiHarness;
let worker: InProcessWorker;
const streams = testStreams();

beforeAll(async () => {
  inventoryDatabase = await createTestDatabase('inventory');
  api = await startProductApi({ stream: streams.stream, admin: { apiKey: API_KEY, inventoryUrl: inventoryDatabase.url } });
  worker = await startWorker(consumerOptions(streams), { databaseUrl: inventoryDatabase.url });
});
afterAll(async () => {
  await worker.stop();
  await api.close();
  await inventoryDatabase.drop();
});

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PRODUCT_DATABASE_URL: api.databaseUrl, INVENTORY_DATABASE_URL: inventoryDatabase.url };
  return promisify(execFile)(process.execPath, [CLI, ...args], { env }).then(
    ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
    (error: { stdout: string; stderr: string; code: number }) => ({ stdout: error.stdout, stderr: error.stderr, code: error.code }),
  );
}

async function cli(...args: string[]): Promise<{ code: number; report: ReconcileReport }> {
  const { stdout, code } = await run('--json', ...args);
  return { code, report: JSON.parse(stdout) as ReconcileReport };
}

const outboxRowsFor = async (productId: string) =>
  (await api.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE product_id = ${productId}::uuid`)[0]?.n;

test('finds a missing record, an orphan and a stale version; --repair fixes them through the stream', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await api.http.post('/api/products').send(validProduct()).expect(201)).body.id);
  await waitFor('every product stocked', async () => (await worker.db.inventoryItem.count()) === 5);
  const [lostCreate, lostUpdate] = ids as [string, string];

  // Drift, as lost events would leave it.
  await worker.db.inventoryItem.delete({ where: { productId: lostCreate } });
  const orphan = randomUUID();
  await worker.db.inventoryItem.create({ data: { productId: orphan, sku: 'ORPHAN', name: 'No product', quantity: 3, productVersion: 4 } });
  await api.db.product.update({ where: { id: lostUpdate }, data: { name: 'Renamed, event lost', version: 2 } });

  const found = await cli();
  expect(found.code).toBe(1);
  expect(found.report).toMatchObject({
    products: 5,
    records: 5,
    missing: { count: 1, samples: [lostCreate] },
    orphans: { count: 1, samples: [orphan] },
    behind: { count: 1, samples: [{ productId: lostUpdate, recordVersion: 1, productVersion: 2 }] },
    repaired: 0,
  });

  const repaired = await cli('--repair');
  expect(repaired.code).toBe(0);
  expect(repaired.report.repaired).toBe(3);
  await waitFor('the repair applied', async () => (await cli()).code === 0);
  expect(await worker.db.inventoryItem.findUnique({ where: { productId: lostCreate } })).toMatchObject({ quantity: 100 });
  expect(await worker.db.inventoryItem.findUnique({ where: { productId: orphan } })).toBeNull();
  expect(await worker.db.inventoryItem.findUnique({ where: { productId: lostUpdate } })).toMatchObject({
    name: 'Renamed, event lost',
    productVersion: 2,
  });
});

test('POST /admin/reconcile answers the report behind the admin key, audited under its name; the last run shows on /metrics', async () => {
  await api.http.post('/admin/reconcile').expect(401);
  const res = await api.http.post('/admin/reconcile').set('X-API-Key', API_KEY).expect(200);
  const [audited] = await api.db.adminAction.findMany({ orderBy: { id: 'desc' }, take: 1 });
  expect(audited).toMatchObject({ actor: 'admin', action: 'reconcile', outcome: 'ok', count: 0 });
  expect(audited?.detail).toContain(`run ${res.body.runId}`);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toMatchObject({ missing: { count: 0 }, orphans: { count: 0 }, behind: { count: 0 }, repaired: 0 });
  const metrics = (await api.http.get('/metrics').expect(200)).text;
  expect(metrics).toMatch(/^reconcile_drift\{kind="missing",service="product-api"\} 0$/m);
  expect(metrics).toMatch(/^reconcile_last_run_timestamp_seconds\{service="product-api"\} \d+/m);
});

test('a record made through inventory-api for an id with no product, with a reservation and adjustments, is reported and never deleted by a repair', async () => {
  const inventoryApi = request(
    createInventoryApp({
      db: worker.db,
      logger: createLogger('inventory-api-test', 'silent'),
      metrics: createMetricsRegistry('inventory-api'),
    }),
  );
  const made = { productId: randomUUID(), sku: 'BY-HAND', name: 'Stock kept by hand', quantity: 20 };
  await inventoryApi.post('/api/inventory').send(made).expect(201);
  await inventoryApi.post(`/api/inventory/${made.productId}/reservations`).send({ quantity: 4, reference: 'order-1' }).expect(201);
  await inventoryApi.post(`/api/inventory/${made.productId}/adjustments`).send({ delta: 5, reason: 'restock' }).expect(200);

  const found = await cli();
  expect(found.code).toBe(0);
  expect(found.report).toMatchObject({ orphans: { count: 0 }, madeByApi: { count: 1, samples: [made.productId] } });
  for (const repaired of [
    (await cli('--repair')).report,
    (await api.http.post('/admin/reconcile?repair=true').set('X-API-Key', API_KEY).expect(200)).body,
  ]) {
    expect(repaired).toMatchObject({ repaired: 0, madeByApi: { count: 1 } });
  }
  // Nothing was announced for it, so there is nothing for the worker to delete.
  expect(await outboxRowsFor(made.productId)).toBe(0);
  const record = await worker.db.inventoryItem.findUnique({
    where: { productId: made.productId },
    include: { reservations: true, adjustments: true },
  });
  expect(record).toMatchObject({ quantity: 25, reserved: 4, origin: 'api' });
  expect(record?.reservations).toHaveLength(1);
  expect(record?.adjustments).toHaveLength(1);
  await inventoryApi.delete(`/api/inventory/${made.productId}/reservations/order-1`).expect(204);
  await inventoryApi.delete(`/api/inventory/${made.productId}`).expect(204);
});

test('an orphan that holds a reservation is kept by --repair, and deleted only with --delete-with-history', async () => {
  const orphan = randomUUID();
  await worker.db.inventoryItem.create({
    data: { productId: orphan, sku: 'ORPHAN-HELD', name: 'No product', quantity: 3, reserved: 1, productVersion: 2 },
  });
  await worker.db.reservation.create({ data: { productId: orphan, reference: 'order-9', quantity: 1 } });

  const kept = await cli('--repair');
  expect(kept.code).toBe(1);
  expect(kept.report).toMatchObject({ orphans: { count: 1 }, kept: { count: 1, samples: [orphan] }, repaired: 0 });
  expect(await outboxRowsFor(orphan)).toBe(0);

  const deleted = await cli('--repair', '--delete-with-history');
  expect(deleted.code).toBe(0);
  expect(deleted.report).toMatchObject({ kept: { count: 0 }, repaired: 1 });
  await waitFor(
    'the worker to apply the deletion',
    async () => (await worker.db.inventoryItem.count({ where: { productId: orphan } })) === 0,
  );
});

test('while a run holds the reconcile lock, another answers 409 with its run id and the CLI exits 5, doing nothing', async () => {
  const running = randomUUID();
  const holder = new Client({ connectionString: api.databaseUrl, application_name: `stockstream-reconcile:${running}` });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock(7212002, 1)');
  try {
    const refused = await api.http.post('/admin/reconcile?repair=true').set('X-API-Key', API_KEY).expect(409);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ type: expect.stringContaining('/reconcile-running'), runningRunId: running });
    const cliRun = await run('--repair');
    expect(cliRun.code).toBe(5);
    expect(cliRun.stderr).toContain(running);
    expect(cliRun.stdout).toBe('');
  } finally {
    await holder.end();
  }
  await api.http.post('/admin/reconcile').set('X-API-Key', API_KEY).expect(200);
});
