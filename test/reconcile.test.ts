// Reconcile finds drift between products and inventory records (a lost create, a lost delete, a lost
// update), and --repair fixes it through the outbox and the stream: the worker applies the repair.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ReconcileReport } from '@stockstream/contracts';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { startProductApi, validProduct } from '../product-api/test/support/product-api';
import type { ProductApiHarness } from '../product-api/test/support/product-api';
import { consumerOptions, startWorker, testStreams } from '../inventory-worker/test/support/worker';
import type { InProcessWorker } from '../inventory-worker/test/support/worker';
import { waitFor } from '../platform/test/support/wait';

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

async function cli(...args: string[]): Promise<{ code: number; report: ReconcileReport }> {
  const env = { ...process.env, PRODUCT_DATABASE_URL: api.databaseUrl, INVENTORY_DATABASE_URL: inventoryDatabase.url };
  const { stdout, code } = await promisify(execFile)(process.execPath, [CLI, '--json', ...args], { env }).then(
    ({ stdout }) => ({ stdout, code: 0 }),
    (error: { stdout: string; code: number }) => ({ stdout: error.stdout, code: error.code }),
  );
  return { code, report: JSON.parse(stdout) as ReconcileReport };
}

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

test('POST /admin/reconcile answers the report behind the admin key, and the last run shows on /metrics', async () => {
  await api.http.post('/admin/reconcile').expect(401);
  const res = await api.http.post('/admin/reconcile').set('X-API-Key', API_KEY).expect(200);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toMatchObject({ missing: { count: 0 }, orphans: { count: 0 }, behind: { count: 0 }, repaired: 0 });
  const metrics = (await api.http.get('/metrics').expect(200)).text;
  expect(metrics).toMatch(/^reconcile_drift\{kind="missing",service="product-api"\} 0$/m);
  expect(metrics).toMatch(/^reconcile_last_run_timestamp_seconds\{service="product-api"\} \d+/m);
});
