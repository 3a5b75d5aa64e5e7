import type { ProductEvent, ProductEventType } from '@stockstream/contracts';
import type { InventoryRepository } from '@stockstream/inventory-api';

export interface HandlerContext {
  initialStock: number;
}

export type Handler<T extends ProductEventType> = (
  inventory: InventoryRepository,
  event: Extract<ProductEvent, { type: T }>,
  context: HandlerContext,
) => Promise<void>;

export type HandlerMap = { [T in ProductEventType]: Handler<T> };
