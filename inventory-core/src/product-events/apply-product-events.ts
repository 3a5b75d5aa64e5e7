import type { ProductEvent, ProductEventType } from '@stockstream/contracts';
import type { InventoryDb } from '@stockstream/prisma';
import type { Queryable } from '../data/inventory-repository';
import { ProductStockRepository } from '../data/product-stock-repository';
import { newestPerProduct, versionOf } from './newest-per-product';

/**
 * What became of one event: `processed` changed the record (or its tombstone), `stale` was older than
 * what the inventory side knew and changed nothing, `duplicate` had been applied before (same event id).
 */
export type Applied = 'processed' | 'stale' | 'duplicate';

export interface StockRules {
  /** The quantity a product's record starts with. */
  initialStock: number;
}

/** One delivery of an event: the event, and where it came from. */
export interface DeliveredEvent {
  event: ProductEvent;
  streamId: string;
}

type EventOf<T extends ProductEventType> = Extract<ProductEvent, { type: T }>;

/** Applies the newest events of distinct products; answers the products whose record changed. */
type Rule<T extends ProductEventType> = (stock: ProductStockRepository, events: EventOf<T>[], rules: StockRules) => Promise<Set<string>>;

type SnapshotEvent = EventOf<'product.created'> | EventOf<'product.updated'>;

const upsertSnapshots = (stock: ProductStockRepository, events: SnapshotEvent[], { initialStock }: StockRules) =>
  stock.upsertSnapshots(
    events.map((event) => ({ ...event.data, productVersion: versionOf(event) })),
    initialStock,
  );

const removeProducts: Rule<'product.deleted'> = (stock, events) =>
  stock.removeProducts(events.map((event) => ({ productId: event.data.productId, productVersion: versionOf(event) })));

/**
 * Every event type and the rule it applies, in one place. Created and updated share theirs: the newest
 * snapshot of a product wins, and an update that comes before its create makes the record.
 */
export const productEventRules: {
  [T in ProductEventType]: (stock: ProductStockRepository, events: EventOf<T>[], rules: StockRules) => Promise<Set<string>>;
} = {
  'product.created': upsertSnapshots,
  'product.updated': upsertSnapshots,
  'product.deleted': removeProducts,
};

/** Groups events by the rule they apply, so that each rule runs once, as one statement. */
function byRule(events: ProductEvent[]): Map<Rule<ProductEventType>, ProductEvent[]> {
  const groups = new Map<Rule<ProductEventType>, ProductEvent[]>();
  for (const event of events) {
    const rule = productEventRules[event.type] as Rule<ProductEventType>;
    groups.set(rule, [...(groups.get(rule) ?? []), event]);
  }
  return groups;
}

/**
 * Applies a batch of product events in one transaction, exactly once per event id and in any order:
 * the products are locked, the ids recorded, and of each product only its newest event applies; the
 * rules make it a no-op when the inventory side knows a newer version already. The same batch, split or
 * shuffled or delivered again, leaves the same records.
 */
export async function applyProductEvents(db: InventoryDb | Queryable, batch: DeliveredEvent[], rules: StockRules): Promise<Applied[]> {
  if (batch.length === 0) return [];
  const apply = async (tx: Queryable): Promise<Applied[]> => {
    const stock = new ProductStockRepository(tx);
    const fresh = await stock.lockAndRecord(
      batch.map(({ event }) => event.data.productId),
      batch.map(({ event, streamId }) => ({ eventId: event.id, type: event.type, streamId })),
    );
    // The same id twice in one batch (a relay that published twice): the first copy counts.
    const firstCopies = batch.filter(({ event }) => fresh.delete(event.id));
    const newest = newestPerProduct(firstCopies);
    const changed = new Set<string>();
    for (const [rule, events] of byRule(newest.map(({ event }) => event))) {
      for (const productId of await rule(stock, events, rules)) changed.add(productId);
    }
    const winners = new Set(newest);
    const counted = new Set(firstCopies);
    return batch.map((item) => {
      if (!counted.has(item)) return 'duplicate';
      return winners.has(item) && changed.has(item.event.data.productId) ? 'processed' : 'stale';
    });
  };
  return '$transaction' in db ? db.$transaction(apply, { timeout: 30_000 }) : apply(db);
}
