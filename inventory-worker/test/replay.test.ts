// Operators replay dead letters once their cause is fixed: the worker applies them, and an event whose
// effect was applied already (same event id) changes nothing.
import { randomUUID } from 'node:crypto';
import { toStreamFields } from '@stockstream/contracts';
import { DeadLetterQueue, deadLetter } from '@stockstream/inventory-api';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, productUpdated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from './support/wait';

let database: TestDatabase;
let worker: InProcessWorker;
let queue: DeadLetterQueue;
const streams = testStreams();

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  worker = await startWorker(consumerOptions(streams, { maxDeliveries: 2, retryBaseMs: 10 }), { databaseUrl: database.url });
  queue = new DeadLetterQueue(worker.redis, streams.deadLetterStream, streams.stream);
});
afterAll(async () => {
  await worker.redis.del([streams.stream, streams.deadLetterStream]);
  await worker.stop();
  await database.drop();
});

test('updates dead-lettered before their products existed are applied when replayed, all at once', async () => {
  const products = Array.from({ length: 20 }, () => productCreated());
  await publish(
    worker.redis,
    streams.stream,
    products.map((event) => productUpdated(event.data.productId, event.data.sku, `Renamed ${event.data.sku}`)),
  );
  await waitFor('20 dead letters', async () => (await queue.length()) === 20);

  await publish(worker.redis, streams.stream, products);
  await waitFor('20 records', async () => (await worker.db.inventoryItem.count()) === 20);
  const replayed = await queue.replayAll({ reason: 'max-deliveries' });
  expect(Object.values(replayed).filter((id) => id !== null)).toHaveLength(20);
  expect(await queue.length()).toBe(0);
  await waitFor(
    'every record renamed',
    async () => (await worker.db.inventoryItem.count({ where: { name: { startsWith: 'Renamed' } } })) === 20,
  );
  expect(await worker.redis.xLen(streams.deadLetterStream)).toBe(0);
});

test('replaying an event whose effect is already applied changes nothing', async () => {
  const event = productCreated({ productId: randomUUID() });
  await publish(worker.redis, streams.stream, [event]);
  await waitFor('its record', () => worker.db.inventoryItem.findUnique({ where: { productId: event.data.productId } }));
  await worker.db.inventoryItem.update({ where: { productId: event.data.productId }, data: { quantity: 42 } });

  // The same event id, dead-lettered by hand (as if a worker had failed on a copy of it), then replayed.
  const duplicatesBefore = worker.outcomes.count('product.created', 'duplicate');
  const letterId = await deadLetter(
    worker.redis,
    { ...streams, consumer: 'test' },
    { id: '0-1', fields: toStreamFields(event) },
    { reason: 'max-deliveries', error: 'x', deliveries: 5 },
  );
  await queue.replay([letterId]);
  await waitFor('the replay handled', () => worker.outcomes.count('product.created', 'duplicate') === duplicatesBefore + 1);
  expect((await worker.db.inventoryItem.findUniqueOrThrow({ where: { productId: event.data.productId } })).quantity).toBe(42);
  expect(await worker.db.processedEvent.count({ where: { eventId: event.id } })).toBe(1);
});
