// Redis goes away while products are created (a private redis-server, killed and started again empty):
// the API keeps answering, the outbox keeps the events, and every product ends with exactly one record.
import { startProductApi } from '../product-api/test/support/product-api';
import type { ProductApiHarness } from '../product-api/test/support/product-api';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { PrivateRedis } from '../platform/test/support/redis-server';
import { consumerOptions, startWorker, testStreams } from '../inventory-worker/test/support/worker';
import type { InProcessWorker } from '../inventory-worker/test/support/worker';
import { waitFor } from '../platform/test/support/wait';

let redis: PrivateRedis;
let api: ProductApiHarness;
let database: TestDatabase;
let worker: InProcessWorker;
const streams = testStreams();

beforeAll(async () => {
  redis = await PrivateRedis.start();
  api = await startProductApi({ stream: streams.stream, redisUrl: redis.url, sweepIntervalMs: 200 });
  database = await createTestDatabase('inventory');
  worker = await startWorker(consumerOptions(streams), { databaseUrl: database.url, redisUrl: redis.url });
});
afterAll(async () => {
  await worker.stop();
  await api.close();
  await database.drop();
  await redis.down();
});

const create = (i: number) => api.http.post('/api/products').send({ sku: `OUTAGE-${i}`, name: `Product ${i}`, price: '1.00' });

test('products created while Redis is down are all saved, published when it is back, and stocked once each', async () => {
  for (let i = 0; i < 5; i++) await create(i).expect(201);
  await waitFor('the first records', async () => (await worker.db.inventoryItem.count()) === 5);

  await redis.down();
  await waitFor('the API to see Redis gone', () => !api.redis.isReady);
  for (let i = 5; i < 15; i++) await create(i).expect(201);
  const ready = await api.http.get('/health/ready').expect(200);
  expect(ready.body).toMatchObject({ status: 'degraded', checks: { redis: { ok: false } }, outboxBacklog: 10 });

  await redis.up();
  await waitFor('every product stocked', async () => (await worker.db.inventoryItem.count()) === 15, 30_000);
  await waitFor('the outbox drained', async () => (await api.relay.backlog()) === 0);

  const products = await api.db.product.findMany();
  const records = await worker.db.inventoryItem.findMany();
  expect(products).toHaveLength(15);
  expect(records.map((record) => record.productId).sort()).toEqual(products.map((product) => product.id).sort());
  expect(records.every((record) => record.quantity === 100)).toBe(true);
  expect(await worker.redis.xLen(streams.deadLetterStream)).toBe(0);
});

test('products created while Redis is stalled (stopped, its sockets open) are all saved, published once it answers, and stocked once each', async () => {
  const before = await api.db.product.count();
  redis.stall();
  for (let i = 0; i < 10; i++)
    await api.http
      .post('/api/products')
      .send({ sku: `STALL-${i}`, name: `Product ${i}`, price: '1.00' })
      .expect(201);
  // Readiness pings with a deadline: it says degraded while the socket is still open.
  expect((await api.http.get('/health/ready').expect(200)).body).toMatchObject({ status: 'degraded', checks: { redis: { ok: false } } });

  redis.resume();
  await waitFor('every product stocked', async () => (await worker.db.inventoryItem.count()) === before + 10, 30_000);
  await waitFor('the outbox drained', async () => (await api.relay.backlog()) === 0);
  const records = await worker.db.inventoryItem.findMany({ where: { sku: { startsWith: 'STALL-' } } });
  expect(records).toHaveLength(10);
  expect(records.every((record) => record.quantity === 100)).toBe(true);
  expect(await worker.redis.xLen(streams.deadLetterStream)).toBe(0);
});
