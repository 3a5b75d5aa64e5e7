// Redis behind Sentinel: a primary, a replica and three sentinels (real processes on loopback ports), the
// built product-api and two workers finding the primary through the sentinels. The primary is SIGKILLed
// under a steady load of product writes: the writes keep answering 201, the processes follow the promoted
// replica, and every product ends with one stock record of 100, with no dead letter. Then a failover to a
// replica that was behind: the entries it never got are noticed as lost and published again from the outbox.
import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { waitFor } from '../platform/test/support/wait';
import { SentinelSet } from './support/redis-topologies';
import type { RedisProcess } from './support/redis-topologies';
import { startPipelineServices } from './support/service-process';
import type { ServiceProcess } from './support/service-process';

const stream = `sentinel-${randomUUID().slice(0, 8)}.events`;
const deadLetterStream = `${stream}.dlq`;

let set: SentinelSet;
let products: TestDatabase;
let inventory: TestDatabase;
let stock: InventoryDb;
let api: ServiceProcess;
let workers: ServiceProcess[] = [];

async function startSystem(): Promise<void> {
  const env = { ...set.env, PRODUCT_STREAM: stream, DEAD_LETTER_STREAM: deadLetterStream };
  ({ api, workers } = await startPipelineServices(env, { products: products.url, inventory: inventory.url }));
}

async function stopSystem(): Promise<void> {
  await Promise.all([api, ...workers].filter(Boolean).map((service) => service.stop()));
  workers = [];
}

beforeEach(async () => {
  set = await SentinelSet.start();
  products = await createTestDatabase('product');
  inventory = await createTestDatabase('inventory');
  stock = createInventoryDb(inventory.url, { poolSize: 2 });
  await startSystem();
});
afterEach(async () => {
  await stopSystem();
  await stock.$disconnect();
  await products.drop();
  await inventory.drop();
  await set.stop();
});

async function createProduct(sku: string): Promise<{ status: number; id?: string }> {
  const res = await fetch(`http://127.0.0.1:${api.port}/api/products`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sku, name: `Product ${sku}`, price: '9.99' }),
  });
  const body = (await res.json()) as { id?: string };
  return { status: res.status, ...(body.id ? { id: body.id } : {}) };
}

/** Writes products one after another until stopped; answers every status and the ids created. */
function steadyLoad(prefix: string): { stop: () => Promise<{ statuses: number[]; ids: string[] }> } {
  let running = true;
  const statuses: number[] = [];
  const ids: string[] = [];
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const { status, id } = await createProduct(`${prefix}-${i}`);
      statuses.push(status);
      if (id) ids.push(id);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { statuses, ids };
    },
  };
}

async function stockedExactly(ids: string[]): Promise<boolean> {
  const items = await stock.inventoryItem.findMany({ select: { productId: true, quantity: true } });
  const wanted = new Set(ids);
  return items.length === ids.length && items.every((item) => wanted.has(item.productId) && item.quantity === 100);
}

/** Entries ever added to the stream on a node (the relay trims what every group has acknowledged). */
async function entriesAdded(node: RedisProcess): Promise<number> {
  const info = (await node.command('XINFO', 'STREAM', stream)) as unknown[];
  return Number(info[info.indexOf('entries-added') + 1]);
}

const handled = (outcome: string) =>
  workers.flatMap((worker) => worker.lines).filter((line) => line.includes('"event handled"') && line.includes(`"outcome":"${outcome}"`))
    .length;

test('the primary SIGKILLed under load: writes answer 201 throughout, every product converges to one record of 100, no dead letters', async () => {
  const load = steadyLoad('SENTINEL');
  await waitFor('some products stocked', async () => (await stock.inventoryItem.count()) >= 20, 20_000);

  const killed = Date.now();
  await set.failOver();
  const promotedAfterMs = Date.now() - killed;
  const stockedAtPromotion = await stock.inventoryItem.count();
  await waitFor(
    'products stocked through the new primary',
    async () => (await stock.inventoryItem.count()) >= stockedAtPromotion + 20,
    30_000,
  );
  const { statuses, ids } = await load.stop();

  expect(statuses.filter((status) => status !== 201)).toEqual([]);
  await waitFor('every committed product stocked once, with 100', () => stockedExactly(ids), 30_000);
  const convergedAfterMs = Date.now() - killed;
  expect(await set.replica.command('XLEN', deadLetterStream)).toBe(0);
  // One line per client when the primary changes (product-api has one client; a worker, two), none per request.
  const changes = (service: ServiceProcess) => service.lines.filter((line) => line.includes('"redis primary changed"')).length;
  // (A client whose first word from the sentinels comes after the promotion logs it as the primary found.)
  expect(changes(api)).toBeLessThanOrEqual(1);
  for (const worker of workers) expect(changes(worker)).toBeLessThanOrEqual(2);
  expect([api, ...workers].map(changes).reduce((sum, count) => sum + count)).toBeGreaterThan(0);
  // Nothing was lost (the replica was in sync): no loss, no error, no stack trace in any process.
  expect([api, ...workers].flatMap((service) => service.lines).filter((line) => /"level":"error"|\n\s+at /.test(line))).toEqual([]);
  console.log(
    `Sentinel failover under load: ${ids.length} products, promoted after ${promotedAfterMs} ms, converged ${convergedAfterMs} ms after the kill; ` +
      `deliveries that changed nothing: ${handled('duplicate') + handled('stale')}`,
  );
});

test('a failover to a replica that was behind: the entries it lacks are noticed as lost and published again from the outbox', async () => {
  const before: string[] = [];
  for (let i = 0; i < 10; i++) before.push((await createProduct(`BEFORE-${i}`)).id!);
  await waitFor('the first products stocked', () => stockedExactly(before));

  await set.holdReplication();
  const behind: string[] = [];
  for (let i = 0; i < 10; i++) behind.push((await createProduct(`BEHIND-${i}`)).id!);
  await waitFor('the old primary to hold them', async () => (await entriesAdded(set.primary)) === 20);
  expect(await entriesAdded(set.replica)).toBe(10);

  await set.failOver();
  const noticed = await waitFor('the loss noticed', () => api.lines.find((line) => line.includes('the stream lost data')), 30_000);
  expect(noticed).toMatch(/"reason":"(stream-behind|entries-lost)"/);
  await waitFor('every product stocked once, with 100', () => stockedExactly([...before, ...behind]), 30_000);
  expect(await set.replica.command('XLEN', deadLetterStream)).toBe(0);
});
