// Four worker processes in one group, started on a backlog built while they were stopped, with small
// batches so that each product's events land in different batches at different workers: the records
// converge on every product's last version, whatever order the events are applied in.
import { randomUUID } from 'node:crypto';
import type { ProductEvent } from '@stockstream/contracts';
import { productCreated, productUpdated, publish } from './support/events';
import { WorkerProcesses } from './support/worker-processes';
import { waitFor } from '../../platform/test/support/wait';

const fixture = new WorkerProcesses();
const { streams } = fixture;

beforeAll(() => fixture.setUp());
afterAll(() => fixture.tearDown());

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
  await fixture.redis.xGroupCreate(streams.stream, streams.group, '0', { MKSTREAM: true });
  await publish(fixture.redis, streams.stream, events);

  for (let i = 1; i <= 4; i++) await fixture.start(`any-order-${i}`, { BATCH_SIZE: '7', BLOCK_MS: '100' });
  await waitFor('every event applied', async () => (await fixture.db.processedEvent.count()) === events.length, 60_000);
  await waitFor('nothing pending', async () => (await fixture.redis.xPending(streams.stream, streams.group)).pending === 0);

  expect(await fixture.db.inventoryItem.count({ where: { productId: { in: deleted.map((event) => event.data.productId) } } })).toBe(0);
  expect(await fixture.db.productTombstone.count()).toBe(1_000);
  const records = await fixture.db.inventoryItem.findMany();
  expect(records).toHaveLength(500);
  expect(records.every((record) => record.name === 'Name v4' && record.sku.endsWith('-v4') && record.productVersion === 4)).toBe(true);
  expect(records.every((record) => record.quantity === 100 && record.reserved === 0)).toBe(true);
  expect(await fixture.redis.xLen(streams.deadLetterStream)).toBe(0);
  const [group] = await fixture.redis.xInfoGroups(streams.stream);
  expect(group?.lag).toBe(0);
  // Every worker took part, so events of one product were applied by different workers.
  const consumers = await fixture.redis.xInfoConsumers(streams.stream, streams.group);
  expect(consumers).toHaveLength(4);
  expect(fixture.started.every((worker) => worker.lines.every((line) => !line.includes('"level":"error"')))).toBe(true);
});
