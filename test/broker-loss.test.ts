// Redis loses what it holds (a private redis-server restarted empty, a deleted stream, a destroyed group):
// the relay and the workers notice by themselves, the outbox is republished, and every product ends with
// exactly one record, with no operator action.
import { ProductRepository } from '../product-api/src/data/product-repository';
import { startProductApi, validProduct } from '../product-api/test/support/product-api';
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
let workers: InProcessWorker[] = [];
const streams = testStreams();

beforeAll(async () => {
  redis = await PrivateRedis.start();
  api = await startProductApi({ stream: streams.stream, redisUrl: redis.url, sweepIntervalMs: 200, brokerCheckIntervalMs: 300 });
  database = await createTestDatabase('inventory');
});
afterAll(async () => {
  await stopWorkers();
  await api.close();
  await database.drop();
  await redis.down();
});

const startWorkers = async (count: number) => {
  for (let i = 0; i < count; i++) {
    workers.push(
      await startWorker(consumerOptions(streams, { batchSize: 200, claimIdleMs: 1_000, claimIntervalMs: 200 }), {
        databaseUrl: database.url,
        redisUrl: redis.url,
      }),
    );
  }
};
const stopWorkers = async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  workers = [];
};
const records = () => workers[0]?.db.inventoryItem.count() ?? Promise.resolve(-1);
/** The broker resets product-api counted, over all reasons. */
const resets = async () =>
  (await api.http.get('/metrics').expect(200)).text
    .split('\n')
    .filter((line) => line.startsWith('stockstream_broker_resets_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

test('Redis restarted empty while workers are paused: 1,000 products are all stocked once, no operator needed', async () => {
  const repository = new ProductRepository(api.db, api.sql);
  const ids: string[] = [];
  for (let i = 0; i < 1_000; i++) ids.push((await repository.create(validProduct({ sku: `LOSS-${i}` }), undefined)).id);
  api.relay.kick();
  await waitFor('all published', async () => (await api.relay.backlog()) === 0);
  await waitFor('all in the stream', async () => (await api.redis.xLen(streams.stream)) === 1_000);

  await redis.down();
  await redis.up(); // empty: no AOF, no RDB
  const back = Date.now();
  await waitFor('the relay to notice and recover', async () => (await resets()) === 1, 10_000);
  await startWorkers(2);
  await waitFor('every product stocked', async () => (await records()) === 1_000, 30_000);
  const seconds = (Date.now() - back) / 1000;
  console.log(`Redis back empty → 1,000 products stocked: ${seconds.toFixed(1)} s`);

  const items = await workers[0]!.db.inventoryItem.findMany({ select: { productId: true, quantity: true } });
  expect(new Set(items.map((item) => item.productId))).toEqual(new Set(ids));
  expect(items.every((item) => item.quantity === 100)).toBe(true);
  expect(await workers[0]!.db.processedEvent.count()).toBe(1_000);
  await waitFor('readiness back to ready', async () => (await api.http.get('/health/ready')).body.status === 'ready');
  expect(await api.redis.xLen(streams.deadLetterStream)).toBe(0);
});

test('the stream deleted under running workers: the relay republishes, the workers make their group again', async () => {
  const before = await records();
  const created = await Promise.all([1, 2, 3].map(() => api.http.post('/api/products').send(validProduct()).expect(201)));
  await waitFor('the new records', async () => (await records()) === before + 3);

  await api.redis.del(streams.stream);
  const more = await api.http.post('/api/products').send(validProduct()).expect(201);
  await waitFor(
    'the product made after the loss stocked',
    async () => (await workers[0]!.db.inventoryItem.count({ where: { productId: more.body.id } })) === 1,
    20_000,
  );
  expect(await records()).toBe(before + 4);
  expect(created).toHaveLength(3);
  // Whichever the workers see first: their read finding no group (NOGROUP), or the new epoch the relay
  // wrote when it started the stream over (then they make the group before any read can miss it).
  expect(workers.flatMap((worker) => worker.outcomes.brokerResets)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^(group-missing|epoch-changed)$/)]),
  );
  // The relay's check finds the stream gone (stream-missing) when it runs between the delete and the
  // next XADD; an empty stream ending before the last entry it published (stream-behind) when a worker
  // made its group again first (XGROUP CREATE … MKSTREAM); otherwise a new stream with fewer entries
  // than it published (entries-lost).
  await waitFor('the relay to notice the loss', async () => (await resets()) === 2);
  const lines = (await api.http.get('/metrics').expect(200)).text.split('\n');
  expect(lines.find((line) => /reason="(entries-lost|stream-missing|stream-behind)"/.test(line))).toBeDefined();
  await waitFor('the outbox republished', async () => (await api.relay.backlog()) === 0);
  await waitFor('nothing pending', async () => (await api.redis.xPending(streams.stream, streams.group)).pending === 0);
  expect(await records()).toBe(before + 4);
});

test('the consumer group destroyed: the workers make it again and read the stream from its start, changing nothing', async () => {
  const before = await records();
  await api.redis.xGroupDestroy(streams.stream, streams.group);
  const created = await api.http.post('/api/products').send(validProduct()).expect(201);
  await waitFor(
    'the new product stocked',
    async () => (await workers[0]!.db.inventoryItem.count({ where: { productId: created.body.id } })) === 1,
    20_000,
  );
  await waitFor(
    'the old entries read again, as duplicates',
    async () => (await api.redis.xPending(streams.stream, streams.group)).pending === 0,
  );
  expect(await records()).toBe(before + 1);
  expect(await api.redis.xLen(streams.deadLetterStream)).toBe(0);
});
