// Applied event ids and tombstones are kept for their retention, then pruned by the workers.
import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
let worker: InProcessWorker;
const streams = testStreams();
const HOUR_MS = 3_600_000;

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  const options = { processedEventsRetentionMs: HOUR_MS, tombstoneRetentionMs: 2 * HOUR_MS, pruneIntervalMs: 100 };
  worker = await startWorker(consumerOptions(streams, options), { databaseUrl: database.url });
});
afterAll(async () => {
  await worker.stop([streams.stream, streams.deadLetterStream]);
  await database.drop();
});

test('event ids older than their retention are pruned, recent ones kept; tombstones after theirs', async () => {
  const events = Array.from({ length: 6 }, () => productCreated());
  await publish(worker.redis, streams.stream, events);
  await waitFor('all applied', async () => (await worker.db.processedEvent.count()) === 6);
  const old = events.slice(0, 4).map((event) => event.id);
  await worker.db.processedEvent.updateMany({ where: { eventId: { in: old } }, data: { processedAt: new Date(Date.now() - 2 * HOUR_MS) } });
  const [young, aged] = [randomUUID(), randomUUID()];
  await worker.db.productTombstone.createMany({
    data: [
      { productId: young, productVersion: 2, deletedAt: new Date(Date.now() - HOUR_MS) },
      { productId: aged, productVersion: 2, deletedAt: new Date(Date.now() - 3 * HOUR_MS) },
    ],
  });

  await waitFor('the old ids pruned', async () => (await worker.db.processedEvent.count()) === 2);
  await waitFor('the aged tombstone pruned', async () => (await worker.db.productTombstone.count({ where: { productId: aged } })) === 0);
  expect((await worker.db.processedEvent.findMany()).map((row) => row.eventId).sort()).toEqual(
    events
      .slice(4)
      .map((event) => event.id)
      .sort(),
  );
  expect(await worker.db.productTombstone.count({ where: { productId: young } })).toBe(1);
});
