// Four worker processes in one group, all reading when a backlog arrives at once, with small batches so
// that each product's events land in different batches at different workers: the records converge on
// every product's last version, whatever order the events are applied in.
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
  // All four running first: a worker that starts on a backlog others are draining may find it gone.
  await Promise.all([1, 2, 3, 4].map((i) => fixture.start(`any-order-${i}`, { BATCH_SIZE: '7', BLOCK_MS: '100' })));
  await publish(fixture.redis, streams.stream, events);
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
  // Every worker applied events, and products had their events applied by different workers: read from
  // each worker's own "event handled" lines.
  const appliers = new Map<string, Set<number>>();
  fixture.started.forEach((worker, index) => {
    for (const line of worker.lines) {
      if (!line.includes('"event handled"')) continue;
      const { productId, outcome } = JSON.parse(line) as { productId: string; outcome: string };
      if (outcome !== 'processed') continue;
      appliers.set(productId, (appliers.get(productId) ?? new Set()).add(index));
    }
  });
  const workersThatApplied = new Set([...appliers.values()].flatMap((workers) => [...workers]));
  expect(workersThatApplied.size).toBe(4);
  expect([...appliers.values()].filter((workers) => workers.size > 1).length).toBeGreaterThan(0);
  expect(fixture.started.every((worker) => worker.lines.every((line) => !line.includes('"level":"error"')))).toBe(true);
});
