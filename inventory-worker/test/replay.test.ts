// Operators replay dead letters once their cause is fixed: the worker applies them, and an event whose
// effect was applied already (same event id) changes nothing.
import { randomUUID } from 'node:crypto';
import { toStreamFields } from '@stockstream/contracts';
import { DeadLetterQueue, deadLetter } from '@stockstream/inventory-core';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, productUpdated, publish } from './support/events';
import { poisonSkus } from './support/poison';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
let worker: InProcessWorker;
let queue: DeadLetterQueue;
const streams = testStreams();

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  worker = await startWorker(consumerOptions(streams, { maxDeliveries: 2, claimIdleMs: 200, claimIntervalMs: 50 }), {
    databaseUrl: database.url,
  });
  queue = new DeadLetterQueue(worker.redis, streams.deadLetterStream, streams.stream);
});
afterAll(async () => {
  await worker.stop([streams.stream, streams.deadLetterStream]);
  await database.drop();
});

test('creates dead-lettered while the database refused them apply when replayed, before or after their renames', async () => {
  const poison = await poisonSkus(database.url);
  const products = Array.from({ length: 20 }, (_, i) => productCreated({ sku: `POISON-${i}` }));
  await publish(worker.redis, streams.stream, products);
  await waitFor('20 dead letters', async () => (await queue.length()) === 20, 20_000);
  expect(await worker.db.inventoryItem.count()).toBe(0);
  await poison.cure();

  // Half replayed now (they apply), then every product renamed, then the other half replayed (stale).
  const letters = await queue.list({ limit: 20 });
  expect(Object.values(await queue.replay(letters.items.slice(0, 10).map((letter) => letter.id))).every((id) => id !== null)).toBe(true);
  await waitFor('10 records', async () => (await worker.db.inventoryItem.count()) === 10);
  await publish(
    worker.redis,
    streams.stream,
    products.map((event) => productUpdated(event.data.productId, `FIXED-${event.data.productId.slice(0, 8)}`, 'Renamed')),
  );
  await waitFor('every record renamed', async () => (await worker.db.inventoryItem.count({ where: { name: 'Renamed' } })) === 20);
  for await (const outcome of queue.replayEach({ reason: 'max-deliveries' })) expect(outcome.outcome).toBe('replayed');
  expect(await queue.length()).toBe(0);
  await waitFor('the late creates handled', () => worker.outcomes.count('product.created', 'stale') === 10);

  const records = await worker.db.inventoryItem.findMany();
  expect(records).toHaveLength(20);
  expect(records.every((record) => record.quantity === 100 && record.productVersion === 2 && record.sku.startsWith('FIXED-'))).toBe(true);
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
