import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, productUpdated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
let worker: InProcessWorker;
const streams = testStreams();

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  worker = await startWorker(consumerOptions(streams), { databaseUrl: database.url });
});
afterAll(async () => {
  await worker.stop([streams.stream, streams.deadLetterStream]);
  await database.drop();
});

describe('the same event delivered twice', () => {
  test('makes one inventory record, and both entries are acknowledged', async () => {
    const event = productCreated();
    await publish(worker.redis, streams.stream, [event, event]);
    await waitFor(
      'both entries handled',
      () => worker.outcomes.count('product.created', 'processed') + worker.outcomes.count('product.created', 'duplicate') === 2,
    );
    expect(worker.outcomes.count('product.created', 'processed')).toBe(1);
    expect(worker.outcomes.count('product.created', 'duplicate')).toBe(1);
    expect(await worker.db.inventoryItem.count({ where: { productId: event.data.productId } })).toBe(1);
    const pending = await waitFor('no entry pending', async () => {
      const summary = await worker.redis.xPending(streams.stream, streams.group);
      return summary.pending === 0 ? summary : undefined;
    });
    expect(pending.pending).toBe(0);
  });

  test('a replayed product.created does not reset stock that changed since', async () => {
    const event = productCreated();
    await publish(worker.redis, streams.stream, [event]);
    await waitFor('the record', () => worker.db.inventoryItem.findUnique({ where: { productId: event.data.productId } }));
    await worker.db.inventoryItem.update({ where: { productId: event.data.productId }, data: { quantity: 7 } });
    await publish(worker.redis, streams.stream, [event]);
    await waitFor('the duplicate handled', () => worker.outcomes.count('product.created', 'duplicate') === 2);
    expect((await worker.db.inventoryItem.findUniqueOrThrow({ where: { productId: event.data.productId } })).quantity).toBe(7);
  });

  test('a late, older product.updated does not overwrite a newer one, in one batch or alone', async () => {
    const handledUpdates = () => worker.outcomes.count('product.updated', 'processed') + worker.outcomes.count('product.updated', 'stale');
    const created = productCreated();
    const { productId, sku } = created.data;
    await publish(worker.redis, streams.stream, [created]);
    await waitFor('the record', () => worker.db.inventoryItem.findUnique({ where: { productId } }));
    // In one batch: v3 then v2.
    await publish(worker.redis, streams.stream, [
      productUpdated(productId, sku, 'Name v3', 3),
      productUpdated(productId, sku, 'Name v2', 2),
    ]);
    await waitFor('both updates handled', () => handledUpdates() === 2);
    expect((await worker.db.inventoryItem.findUniqueOrThrow({ where: { productId } })).name).toBe('Name v3');
    // Alone: another old one, later.
    await publish(worker.redis, streams.stream, [productUpdated(productId, sku, 'Name v1', 1)]);
    await waitFor('the old update handled', () => handledUpdates() === 3);
    expect(worker.outcomes.count('product.updated', 'stale')).toBe(2);
    expect(await worker.db.inventoryItem.findUniqueOrThrow({ where: { productId } })).toMatchObject({ name: 'Name v3', productVersion: 3 });
    // A newer one applies.
    await publish(worker.redis, streams.stream, [productUpdated(productId, sku, 'Name v4', 4)]);
    await waitFor(
      'the newer update applied',
      async () => (await worker.db.inventoryItem.findUniqueOrThrow({ where: { productId } })).name === 'Name v4',
    );
  });
});
