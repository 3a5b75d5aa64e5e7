import type { ProductEvent, ProductEventType } from '@stockstream/contracts';
import type { InventoryRepository } from '@stockstream/inventory-api';

export interface HandlerContext {
  initialStock: number;
}

type EventOf<T extends ProductEventType> = Extract<ProductEvent, { type: T }>;

/**
 * What one event type does to stock: for one event, and for a run of events of that type (one statement,
 * for the worker's batches). Both must have the same effect, and both may throw to have the events retried.
 */
export interface Handler<T extends ProductEventType> {
  one(inventory: InventoryRepository, event: EventOf<T>, context: HandlerContext): Promise<void>;
  many(inventory: InventoryRepository, events: EventOf<T>[], context: HandlerContext): Promise<void>;
}

export type HandlerMap = { [T in ProductEventType]: Handler<T> };
