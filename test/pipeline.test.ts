// The whole path, for real: product-api (in process) commits and publishes, the built worker (a child
// process) applies; the request id of the POST reaches the worker's log line for its event.
import { startProductApi } from '../product-api/test/support/product-api';
import type { ProductApiHarness } from '../product-api/test/support/product-api';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { spawnWorker, testStreams } from '../inventory-worker/test/support/worker';
import type { WorkerProcess } from '../inventory-worker/test/support/worker';
import { waitFor } from '../platform/test/support/wait';

let api: ProductApiHarness;
let inventoryDatabase: TestDatabase;
let inventory: InventoryDb;
let worker: WorkerProcess;
const streams = testStreams();

beforeAll(async () => {
  api = await startProductApi({ stream: streams.stream });
  inventoryDatabase = await createTestDatabase('inventory');
  inventory = createInventoryDb(inventoryDatabase.url, { poolSize: 2 });
  worker = await spawnWorker({
    INVENTORY_DATABASE_URL: inventoryDatabase.url,
    PRODUCT_STREAM: streams.stream,
    DEAD_LETTER_STREAM: streams.deadLetterStream,
    BLOCK_MS: '200',
  });
});
afterAll(async () => {
  if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await worker.exited;
  await api.close();
  await inventory.$disconnect();
  await inventoryDatabase.drop();
});

describe('product changes flow to inventory', () => {
  test('a product created through the API gets an inventory record of 100, and the worker logs the request id with the event', async () => {
    const created = await api.http
      .post('/api/products')
      .set('X-Request-Id', 'e2e-create-1')
      .send({ sku: 'E2E-1', name: 'Kettle', price: '30.00' })
      .expect(201);
    const record = await waitFor('the inventory record', () =>
      inventory.inventoryItem.findUnique({ where: { productId: created.body.id } }),
    );
    expect(record).toMatchObject({ sku: 'E2E-1', name: 'Kettle', quantity: 100, reserved: 0 });
    const line = JSON.parse(await worker.waitForLine(/"requestId":"e2e-create-1"/));
    expect(line).toMatchObject({
      service: 'inventory-worker',
      message: 'event handled',
      type: 'product.created',
      outcome: 'processed',
      requestId: 'e2e-create-1',
    });
    expect(line).not.toHaveProperty('correlationId');
    expect(line.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.streamId).toMatch(/^\d+-\d+$/);
  });

  test('an update renames the record and a delete removes it', async () => {
    const created = await api.http.post('/api/products').send({ sku: 'E2E-2', name: 'Teapot', price: '12.00' }).expect(201);
    await waitFor('the record', () => inventory.inventoryItem.findUnique({ where: { productId: created.body.id } }));
    await api.http
      .put(`/api/products/${created.body.id}`)
      .set('If-Match', '"1"')
      .send({ sku: 'E2E-2B', name: 'Big teapot', price: '14.00' })
      .expect(200);
    await waitFor(
      'the renamed record',
      async () => (await inventory.inventoryItem.findUnique({ where: { productId: created.body.id } }))?.name === 'Big teapot',
    );
    expect(await inventory.inventoryItem.findUnique({ where: { productId: created.body.id } })).toMatchObject({
      sku: 'E2E-2B',
      quantity: 100,
    });
    await api.http.delete(`/api/products/${created.body.id}`).expect(204);
    await waitFor('the record to go', async () => (await inventory.inventoryItem.count({ where: { productId: created.body.id } })) === 0);
  });

  test('metrics: the worker counts what it handled and shows lag 0, nothing pending, the DLQ length; product-api its outbox', async () => {
    // Its own product's life, so that it needs no other test to have run first.
    const created = await api.http.post('/api/products').send({ sku: 'E2E-3', name: 'Jug', price: '8.00' }).expect(201);
    await waitFor('the record', () => inventory.inventoryItem.findUnique({ where: { productId: created.body.id } }));
    await api.http.delete(`/api/products/${created.body.id}`).expect(204);
    await waitFor('the record to go', async () => (await inventory.inventoryItem.count({ where: { productId: created.body.id } })) === 0);
    await waitFor('nothing pending', async () => (await api.redis.xPending(streams.stream, streams.group)).pending === 0);
    const worker_ = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    /** The value of the first sample whose line starts with `prefix` (a name, or a name and some labels). */
    const value = (text: string, prefix: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(prefix) && [' ', '{', ',', '}'].includes(line.charAt(prefix.length)))
          ?.split(' ')
          .at(-1),
      );
    expect(value(worker_, 'events_handled_total{type="product.created",outcome="processed"')).toBeGreaterThanOrEqual(1);
    expect(value(worker_, 'events_handled_total{type="product.deleted",outcome="processed"')).toBeGreaterThanOrEqual(1);
    expect(value(worker_, 'consumer_group_lag')).toBe(0);
    expect(value(worker_, 'consumer_group_pending')).toBe(0);
    expect(value(worker_, 'consumer_group_oldest_pending_idle_seconds')).toBe(0);
    expect(value(worker_, 'dead_letter_stream_length')).toBe(await api.redis.xLen(streams.deadLetterStream));
    expect(value(worker_, 'batch_duration_seconds_count')).toBeGreaterThan(0);

    const products = (await api.http.get('/metrics').expect(200)).text;
    expect(value(products, 'outbox_backlog')).toBe(0);
    expect(value(products, 'outbox_publish_latency_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(
      value(products, 'http_request_duration_seconds_count{service="product-api",method="POST",route="/api/products",status="201"'),
    ).toBeGreaterThanOrEqual(1);
  });

  test('the worker answers health on its port and stops cleanly on SIGTERM', async () => {
    const ready = await fetch(`http://127.0.0.1:${worker.port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true }, redis: { ok: true }, consumer: { ok: true } },
    });
    const started = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(worker.lines.some((line) => line.includes('shut down cleanly'))).toBe(true);
  });
});
