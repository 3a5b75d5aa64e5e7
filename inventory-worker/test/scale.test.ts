// Two workers side by side in one consumer group share 2,000 events: each product gets exactly one record.
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
const workers: InProcessWorker[] = [];
const streams = testStreams();

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  for (let i = 0; i < 2; i++) workers.push(await startWorker(consumerOptions(streams, { batchSize: 100 }), { databaseUrl: database.url }));
});
afterAll(async () => {
  // The last one stopped deletes the streams: none left running can remake them.
  for (const [i, worker] of workers.entries())
    await worker.stop(i === workers.length - 1 ? [streams.stream, streams.deadLetterStream] : []);
  await database.drop();
});

test('2,000 events over two workers: every product has exactly one record, nothing left pending', async () => {
  const [first, second] = workers as [InProcessWorker, InProcessWorker];
  const events = Array.from({ length: 2_000 }, () => productCreated());
  // Some events twice, as a relay retrying after a crash would publish them.
  await publish(first.redis, streams.stream, [...events, ...events.slice(0, 100)]);
  await waitFor('all events handled', async () => (await first.db.processedEvent.count()) === 2_000, 60_000);
  await waitFor('no entry pending', async () => (await first.redis.xPending(streams.stream, streams.group)).pending === 0, 20_000);

  expect(await first.db.inventoryItem.count()).toBe(2_000);
  const processed = (worker: InProcessWorker) => worker.outcomes.count('product.created', 'processed');
  const duplicates = (worker: InProcessWorker) => worker.outcomes.count('product.created', 'duplicate');
  expect(processed(first) + processed(second)).toBe(2_000);
  expect(duplicates(first) + duplicates(second)).toBe(100);
  expect(processed(first)).toBeGreaterThan(0);
  expect(processed(second)).toBeGreaterThan(0);
  const groups = await first.redis.xInfoConsumers(streams.stream, streams.group);
  expect(groups).toHaveLength(2);
});
