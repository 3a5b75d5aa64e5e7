// Four worker processes in one group, started on a backlog built while they were stopped, with small
// batches so that each product's events land in different batches at different workers: the records
// converge on every product's last version, whatever order the events are applied in.
import { randomUUID } from 'node:crypto';
import type { ProductEvent } from '@stockstream/contracts';
import { createLogger, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { createInventoryDb } from '@stockstream/prisma';
import type { InventoryDb } from '@stockstream/prisma';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, productUpdated, publish } from './support/events';
import { TEST_REDIS_URL, spawnWorker, testStreams } from './support/worker';
import type { WorkerProcess } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
let db: InventoryDb;
let redis: RedisClient;
const workers: WorkerProcess[] = [];
const streams = testStreams();

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  db = createInventoryDb(database.url, { poolSize: 2 });
  redis = createRedisClient({ url: TEST_REDIS_URL, logger: createLogger('test'), name: 'test', failFast: false });
  await redis.connect();
});
afterAll(async () => {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
  await redis.del([streams.stream, streams.deadLetterStream]);
  await redis.close();
  await db.$disconnect();
  await database.drop();
});

function productDeleted(productId: string, productVersion: number): ProductEvent {
  const envelope = { id: randomUUID(), version: 1 as const, occurredAt: new Date().toISOString() };
  return { ...envelope, type: 'product.deleted', data: { productId, sku: 'gone', productVersion } };
}

test('1,000 products created → updated → deleted and 500 created → updated three times, over four workers', async () => {
  const deleted = Array.from({ length: 1_000 }, () => productCreated());
  const renamed = Array.from({ length: 500 }, () => productCreated());
  const events: ProductEvent[] = [];
  // Back to back per product, as a user driving the API fast would publish them.
  for (const created of deleted) {
    const { productId, sku } = created.data;
    events.push(created, productUpdated(productId, sku, 'Renamed', 2), productDeleted(productId, 3));
  }
  for (const created of renamed) {
    const { productId, sku } = created.data;
    events.push(created, ...[2, 3, 4].map((version) => productUpdated(productId, `${sku}-v${version}`, `Name v${version}`, version)));
  }
  await redis.xGroupCreate(streams.stream, streams.group, '0', { MKSTREAM: true });
  await publish(redis, streams.stream, events);

  for (let i = 1; i <= 4; i++) {
    workers.push(
      await spawnWorker({
        INVENTORY_DATABASE_URL: database.url,
        PRODUCT_STREAM: streams.stream,
        DEAD_LETTER_STREAM: streams.deadLetterStream,
        CONSUMER_NAME: `any-order-${i}`,
        BATCH_SIZE: '7',
        BLOCK_MS: '100',
      }),
    );
  }
  await waitFor('every event applied', async () => (await db.processedEvent.count()) === events.length, 60_000);
  await waitFor('nothing pending', async () => (await redis.xPending(streams.stream, streams.group)).pending === 0);

  expect(await db.inventoryItem.count({ where: { productId: { in: deleted.map((event) => event.data.productId) } } })).toBe(0);
  expect(await db.productTombstone.count()).toBe(1_000);
  const records = await db.inventoryItem.findMany();
  expect(records).toHaveLength(500);
  expect(records.every((record) => record.name === 'Name v4' && record.sku.endsWith('-v4') && record.productVersion === 4)).toBe(true);
  expect(records.every((record) => record.quantity === 100 && record.reserved === 0)).toBe(true);
  expect(await redis.xLen(streams.deadLetterStream)).toBe(0);
  const [group] = await redis.xInfoGroups(streams.stream);
  expect(group?.lag).toBe(0);
  // Every worker took part, so events of one product were applied by different workers.
  const consumers = await redis.xInfoConsumers(streams.stream, streams.group);
  expect(consumers).toHaveLength(4);
  expect(workers.every((worker) => worker.lines.every((line) => !line.includes('"level":"error"')))).toBe(true);
});
