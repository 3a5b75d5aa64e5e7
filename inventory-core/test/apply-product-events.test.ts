// The stock record converges whatever delivers a product's events: any order, any split into batches,
// batches applied concurrently (as several workers do), duplicates included. Checked as a property:
// each run applies random histories shuffled and concurrently, and a mirror of them one by one in order,
// and the two databases-worth of records must agree.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { ProductEvent } from '@stockstream/contracts';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { InventoryRepository, applyProductEvents } from '@stockstream/inventory-core';

let database: TestDatabase;
let db: InventoryDb;
const INITIAL_STOCK = 100;

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  db = createInventoryDb(database.url, { poolSize: 6 });
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

const envelope = () => ({ id: randomUUID(), version: 1 as const, occurredAt: new Date().toISOString() });

/** created (v1), `updates` updates (v2…), and maybe deleted (the next version): one product's history. */
function history(productId: string, updates: string[], deleted: boolean): ProductEvent[] {
  const snapshot = (name: string, productVersion: number) => ({ productId, sku: `SKU-${name}`, name, price: '1.00', productVersion });
  const events: ProductEvent[] = [{ ...envelope(), type: 'product.created', data: snapshot('created', 1) }];
  updates.forEach((name, i) => events.push({ ...envelope(), type: 'product.updated', data: snapshot(name, i + 2) }));
  if (deleted) {
    events.push({ ...envelope(), type: 'product.deleted', data: { productId, sku: 'gone', productVersion: updates.length + 2 } });
  }
  return events;
}

const delivered = (events: ProductEvent[]) => events.map((event, i) => ({ event, streamId: `${i + 1}-0` }));

async function stateOf(productIds: string[]) {
  const items = await db.inventoryItem.findMany({ where: { productId: { in: productIds } } });
  const tombstones = await db.productTombstone.findMany({ where: { productId: { in: productIds } } });
  return productIds.map((id) => {
    const item = items.find((one) => one.productId === id);
    const tombstone = tombstones.find((one) => one.productId === id);
    return {
      record: item && {
        sku: item.sku,
        name: item.name,
        productVersion: item.productVersion,
        quantity: item.quantity,
        reserved: item.reserved,
      },
      tombstone: tombstone?.productVersion,
    };
  });
}

const product = fc.record({
  updates: fc.array(fc.constantFrom('A', 'B', 'C'), { maxLength: 4 }),
  deleted: fc.boolean(),
  duplicates: fc.array(fc.nat(), { maxLength: 3 }),
});

test('any order, any batches, two concurrent appliers and duplicates: the same records as applying in order', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(product, { minLength: 1, maxLength: 4 }), fc.infiniteStream(fc.nat()), async (products, randomness) => {
      const random = randomness[Symbol.iterator]();
      const next = (bound: number) => (random.next().value as number) % bound;
      const shuffledIds: string[] = [];
      const inOrderIds: string[] = [];
      let shuffled: ProductEvent[] = [];
      for (const { updates, deleted, duplicates } of products) {
        const [shuffledId, inOrderId] = [randomUUID(), randomUUID()];
        shuffledIds.push(shuffledId);
        inOrderIds.push(inOrderId);
        const events = history(shuffledId, updates, deleted);
        shuffled.push(...events, ...duplicates.map((i) => events[i % events.length] as ProductEvent));
        for (const event of history(inOrderId, updates, deleted)) await applyProductEvents(db, delivered([event]), INITIAL_STOCK);
      }
      // Fisher-Yates with the generated randomness (so that fast-check can shrink and replay it).
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = next(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j] as ProductEvent, shuffled[i] as ProductEvent];
      }
      const lanes: ProductEvent[][][] = [[], []];
      while (shuffled.length > 0) {
        const size = 1 + next(4);
        lanes[next(2)]?.push(shuffled.slice(0, size));
        shuffled = shuffled.slice(size);
      }
      await Promise.all(
        lanes.map(async (batches) => {
          for (const batch of batches) await applyProductEvents(db, delivered(batch), INITIAL_STOCK);
        }),
      );
      expect(await stateOf(shuffledIds)).toEqual(await stateOf(inOrderIds));
    }),
    { numRuns: 60 },
  );
});

describe('the rules, one at a time', () => {
  test('an update that comes before its create makes the record with the initial stock; the late create is stale', async () => {
    const productId = randomUUID();
    const [created, updated] = history(productId, ['Renamed'], false) as [ProductEvent, ProductEvent];
    expect(await applyProductEvents(db, delivered([updated]), INITIAL_STOCK)).toEqual(['processed']);
    expect(await applyProductEvents(db, delivered([created]), INITIAL_STOCK)).toEqual(['stale']);
    expect(await db.inventoryItem.findUnique({ where: { productId } })).toMatchObject({
      name: 'Renamed',
      productVersion: 2,
      quantity: 100,
    });
  });

  test('a create or update after the delete changes nothing, and is not a failure', async () => {
    const productId = randomUUID();
    const [created, updated, deleted] = history(productId, ['Renamed'], true) as [ProductEvent, ProductEvent, ProductEvent];
    expect(await applyProductEvents(db, delivered([deleted]), INITIAL_STOCK)).toEqual(['processed']);
    expect(await applyProductEvents(db, delivered([updated, created]), INITIAL_STOCK)).toEqual(['stale', 'stale']);
    expect(await db.inventoryItem.count({ where: { productId } })).toBe(0);
    expect(await db.productTombstone.findUnique({ where: { productId } })).toMatchObject({ productVersion: 3 });
  });

  test('the version moves on with every newer event, even one that changes no field (A → B → A)', async () => {
    const productId = randomUUID();
    const [created, toB, backToA] = history(productId, ['B', 'A'], false) as [ProductEvent, ProductEvent, ProductEvent];
    await applyProductEvents(db, delivered([created, backToA]), INITIAL_STOCK);
    expect(await applyProductEvents(db, delivered([toB]), INITIAL_STOCK)).toEqual(['stale']);
    expect(await db.inventoryItem.findUnique({ where: { productId } })).toMatchObject({ name: 'A', productVersion: 3 });
  });

  test('product events never touch stock once the record exists: quantity and reservations stay', async () => {
    const productId = randomUUID();
    const [created, ...updates] = history(productId, ['B', 'C'], false);
    await applyProductEvents(db, delivered([created as ProductEvent]), INITIAL_STOCK);
    const inventory = new InventoryRepository(db);
    await inventory.adjust(productId, -93, 'sold');
    await inventory.reserve(productId, 'order-1', 4);
    await applyProductEvents(db, delivered(updates.reverse()), INITIAL_STOCK);
    expect(await db.inventoryItem.findUnique({ where: { productId } })).toMatchObject({ name: 'C', quantity: 7, reserved: 4 });
  });

  test('the same event id twice, in one batch or two, counts once', async () => {
    const [created] = history(randomUUID(), [], false) as [ProductEvent];
    expect(await applyProductEvents(db, delivered([created, created]), INITIAL_STOCK)).toEqual(['processed', 'duplicate']);
    expect(await applyProductEvents(db, delivered([created]), INITIAL_STOCK)).toEqual(['duplicate']);
  });

  test('in one batch, a delete outranks a snapshot at its own version, in either order (an unversioned delete is final)', async () => {
    for (const order of ['delete first', 'delete last'] as const) {
      const productId = randomUUID();
      const [created] = history(productId, [], false) as [ProductEvent];
      const unversionedDelete: ProductEvent = { ...envelope(), type: 'product.deleted', data: { productId, sku: 'gone' } };
      const atTheEnd: ProductEvent = {
        ...envelope(),
        type: 'product.updated',
        data: { productId, sku: 'S', name: 'Never', price: '1.00', productVersion: 2_147_483_647 },
      };
      const batch = order === 'delete first' ? [unversionedDelete, atTheEnd, created] : [created, atTheEnd, unversionedDelete];
      const outcomes = await applyProductEvents(db, delivered(batch), INITIAL_STOCK);
      expect(outcomes[batch.indexOf(unversionedDelete)]).toBe('processed');
      expect(await db.inventoryItem.count({ where: { productId } })).toBe(0);
    }
  });

  test('an event of the old format, without productVersion, keeps its meaning: an update applies over the record', async () => {
    const productId = randomUUID();
    const [created] = history(productId, [], false) as [ProductEvent];
    const legacyUpdate: ProductEvent = {
      ...envelope(),
      type: 'product.updated',
      data: { productId, sku: 'OLD', name: 'Old format', price: '1.00' },
    };
    await applyProductEvents(db, delivered([created]), INITIAL_STOCK);
    expect(await applyProductEvents(db, delivered([legacyUpdate]), INITIAL_STOCK)).toEqual(['processed']);
    expect(await db.inventoryItem.findUnique({ where: { productId } })).toMatchObject({ name: 'Old format', productVersion: 1 });
  });

  test('text that an array literal must quote arrives as sent, in a batch with a delete (which has no name)', async () => {
    const names = ['say "hi"', 'back\\slash \\"', 'a, b', '{braces}', 'NULL', ' spaced ', 'zwölf – ☃ 𝄞'];
    const events: ProductEvent[] = names.map((name, i) => ({
      ...envelope(),
      type: 'product.created',
      data: { productId: randomUUID(), sku: `SKU-"${i}",{x}`, name, price: '1.00', productVersion: 1 },
    }));
    const gone = randomUUID();
    events.push({ ...envelope(), type: 'product.deleted', data: { productId: gone, sku: 'NULL', productVersion: 2 } });
    expect(await applyProductEvents(db, delivered(events), INITIAL_STOCK)).toEqual(events.map(() => 'processed'));
    const ids = events.slice(0, names.length).map((event) => event.data.productId);
    const stored = await db.inventoryItem.findMany({ where: { productId: { in: ids } } });
    expect(ids.map((id) => stored.find((item) => item.productId === id))).toEqual(
      names.map((name, i) => expect.objectContaining({ name, sku: `SKU-"${i}",{x}` })),
    );
    expect(await db.productTombstone.findUnique({ where: { productId: gone } })).toMatchObject({ productVersion: 2 });
  });
});
