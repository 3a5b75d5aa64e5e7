import type { ProductEvent, ProductEventType } from '@stockstream/contracts';
import type { Queryable } from '../data/inventory-repository';
import { ProductEventsRepository } from '../data/product-events-repository';
import type { Applied, EventToApply, StockRule } from '../data/product-events-repository';
import { versionOf } from './event-version';

export type { Applied };

/** One delivery of an event: the event, and where it came from. */
export interface DeliveredEvent {
  event: ProductEvent;
  streamId: string;
}

/**
 * Every event type and the rule it applies, in one place. Created and updated share theirs: the newest
 * snapshot of a product wins, and an update that comes before its create makes the record.
 */
const productEventRules: { [T in ProductEventType]: StockRule } = {
  'product.created': 'snapshot',
  'product.updated': 'snapshot',
  'product.deleted': 'removal',
};

/** A delivered event as the apply function takes it: its rule and the version it speaks for decided here. */
export function eventToApply({ event, streamId }: DeliveredEvent): EventToApply {
  return {
    eventId: event.id,
    type: event.type,
    streamId,
    productId: event.data.productId,
    sku: event.data.sku,
    name: 'name' in event.data ? event.data.name : null,
    productVersion: versionOf(event),
    rule: productEventRules[event.type],
  };
}

/**
 * Applies a batch of product events in one statement (its own transaction), exactly once per event id
 * and in any order: the products are locked, the ids recorded, and of each product only its newest
 * event applies, a no-op when the inventory side knows a newer version already. The same batch, split
 * or shuffled or delivered again, leaves the same records. A record made by it starts with `initialStock`.
 */
export async function applyProductEvents(db: Queryable, batch: DeliveredEvent[], initialStock: number): Promise<Applied[]> {
  return new ProductEventsRepository(db).apply(batch.map(eventToApply), initialStock);
}
