import type { ProductEvent } from '@stockstream/contracts';
import type { InventoryRepository } from '@stockstream/inventory-api';
import type { HandlerContext, HandlerMap } from './handler';
import { productCreated } from './product-created';
import { productDeleted } from './product-deleted';
import { productUpdated } from './product-updated';

/** Every event type and its handler, in one place. */
export const handlers: HandlerMap = {
  'product.created': productCreated,
  'product.updated': productUpdated,
  'product.deleted': productDeleted,
};

export function handle(inventory: InventoryRepository, event: ProductEvent, context: HandlerContext): Promise<void> {
  const handler = handlers[event.type] as (inventory: InventoryRepository, event: ProductEvent, context: HandlerContext) => Promise<void>;
  return handler(inventory, event, context);
}
