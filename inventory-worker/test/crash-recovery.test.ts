// A worker process is SIGKILLed while it holds unacknowledged entries; a second worker claims them
// (XAUTOCLAIM) and processes them: nothing lost, nothing doubled.
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
import { waitFor } from './support/wait';

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

function start(name: string, claimIdleMs: number) {
  return spawnWorker({
    INVENTORY_DATABASE_URL: database.url,
    PRODUCT_STREAM: streams.stream,
    DEAD_LETTER_STREAM: streams.deadLetterStream,
    CONSUMER_NAME: name,
    CLAIM_IDLE_MS: String(claimIdleMs),
    CLAIM_INTERVAL_MS: '200',
    RETRY_MAX_MS: String(Math.min(20_000, claimIdleMs - 1)),
    BLOCK_MS: '200',
    BATCH_SIZE: '10',
  });
}

test('entries held by a killed worker are claimed and processed once by another', async () => {
  const events = Array.from({ length: 25 }, () => productCreated());

  // Hold the first worker inside its first transaction: a lock on processed_events stops its inserts.
  const blocker = new Client({ connectionString: database.url });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE processed_events IN EXCLUSIVE MODE');

  await redis.xGroupCreate(streams.stream, streams.group, '0', { MKSTREAM: true });
  await publish(redis, streams.stream, events);
  const doomed = await start('doomed-worker', 60_000);
  workers.push(doomed);
  const held = await waitFor('entries delivered to the doomed worker', async () => {
    const pending = await redis.xPendingRange(streams.stream, streams.group, '-', '+', 100, { consumer: 'doomed-worker' });
    return pending.length === 10 ? pending : undefined;
  });
  expect(held.every((entry) => entry.deliveriesCounter === 1)).toBe(true);

  doomed.child.kill('SIGKILL');
  await doomed.exited;
  await blocker.query('ROLLBACK');
  await blocker.end();
  expect(await db.inventoryItem.count()).toBe(0); // the killed worker committed nothing

  const rescuer = await start('rescuer-worker', 1_000);
  workers.push(rescuer);
  await rescuer.waitForLine(/claimed idle entries/);
  await waitFor('every product to have its record', async () => (await db.inventoryItem.count()) === events.length);
  await waitFor('no entry pending', async () => (await redis.xPending(streams.stream, streams.group)).pending === 0);

  expect(await db.inventoryItem.count()).toBe(events.length);
  expect(await db.processedEvent.count()).toBe(events.length);
  const items = await db.inventoryItem.findMany();
  expect(new Set(items.map((item) => item.productId))).toEqual(new Set(events.map((event) => event.data.productId)));
  expect(items.every((item) => item.quantity === 100)).toBe(true);
  expect(await redis.xLen(streams.deadLetterStream)).toBe(0);
});
