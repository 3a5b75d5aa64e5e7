// Worker processes against the claim threshold: a SIGKILLed worker's entries are claimed (XAUTOCLAIM) by
// another within the default claim time and applied once; a slow worker's entries, kept fresh, are not.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createRedisClient, createLogger } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { createInventoryDb } from '@stockstream/prisma';
import type { InventoryDb } from '@stockstream/prisma';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, publish } from './support/events';
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

function start(name: string, env: Record<string, string> = {}) {
  return spawnWorker({
    INVENTORY_DATABASE_URL: database.url,
    PRODUCT_STREAM: streams.stream,
    DEAD_LETTER_STREAM: streams.deadLetterStream,
    CONSUMER_NAME: name,
    BLOCK_MS: '200',
    BATCH_SIZE: '10',
    ...env,
  }).then((worker) => {
    workers.push(worker);
    return worker;
  });
}

/** Holds every worker inside its first transaction: a lock on processed_events stops its inserts. */
async function blockApplying(): Promise<{ release(): Promise<void> }> {
  const blocker = new Client({ connectionString: database.url });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE processed_events IN EXCLUSIVE MODE');
  return {
    async release() {
      await blocker.query('ROLLBACK');
      await blocker.end();
    },
  };
}

const pendingOf = (consumer: string) => redis.xPendingRange(streams.stream, streams.group, '-', '+', 100, { consumer });

test('entries held by a killed worker are applied once by another within the default claim time (15 s)', async () => {
  const events = Array.from({ length: 25 }, () => productCreated());
  const block = await blockApplying();
  await redis.xGroupCreate(streams.stream, streams.group, '0', { MKSTREAM: true });
  await publish(redis, streams.stream, events);
  const doomed = await start('doomed-worker');
  const held = await waitFor('entries delivered to the doomed worker', async () => {
    const pending = await pendingOf('doomed-worker');
    return pending.length === 10 ? pending : undefined;
  });
  expect(held.every((entry) => entry.deliveriesCounter === 1)).toBe(true);

  doomed.child.kill('SIGKILL');
  await doomed.exited;
  await block.release();
  expect(await db.inventoryItem.count()).toBe(0); // the killed worker committed nothing

  // The rescuer runs with the shipped defaults (CLAIM_IDLE_MS 10 s, claims every 2 s).
  const rescuer = await start('rescuer-worker', { BLOCK_MS: '2000' });
  await waitFor('every product to have its record', async () => (await db.inventoryItem.count()) === events.length, 15_000);
  await waitFor('no entry pending', async () => (await redis.xPending(streams.stream, streams.group)).pending === 0);
  expect(rescuer.lines.some((line) => line.includes('claimed idle entries'))).toBe(true);

  expect(await db.processedEvent.count()).toBe(events.length);
  const processedLines = rescuer.lines.filter((line) => line.includes('"outcome":"processed"'));
  expect(processedLines).toHaveLength(events.length);
  const items = await db.inventoryItem.findMany();
  expect(new Set(items.map((item) => item.productId))).toEqual(new Set(events.map((event) => event.data.productId)));
  expect(items.every((item) => item.quantity === 100)).toBe(true);
  expect(await redis.xLen(streams.deadLetterStream)).toBe(0);
  rescuer.child.kill('SIGTERM');
  expect(await rescuer.exited).toBe(0);
});

test('a worker slower than the claim threshold keeps its entries: they are kept fresh, not claimed by another', async () => {
  const events = Array.from({ length: 10 }, () => productCreated());
  const block = await blockApplying();
  await publish(redis, streams.stream, events);
  const fast = { CLAIM_IDLE_MS: '600', CLAIM_INTERVAL_MS: '100' };
  await start('slow-worker', fast);
  await waitFor('the slow worker to hold all ten', async () => (await pendingOf('slow-worker')).length === 10);
  const other = await start('other-worker', fast);
  await sleep(3_000); // five claim thresholds, thirty claim rounds of the other worker

  const pending = await pendingOf('slow-worker');
  expect(pending).toHaveLength(10);
  expect(pending.every((entry) => entry.deliveriesCounter === 1)).toBe(true);
  expect(pending.every((entry) => entry.millisecondsSinceLastDelivery < 600)).toBe(true);
  await block.release();
  await waitFor('all applied', async () => (await db.processedEvent.count({ where: { eventId: { in: events.map((e) => e.id) } } })) === 10);
  expect(other.lines.some((line) => line.includes('claimed idle entries'))).toBe(false);
  await waitFor('no entry pending', async () => (await redis.xPending(streams.stream, streams.group)).pending === 0);
});
