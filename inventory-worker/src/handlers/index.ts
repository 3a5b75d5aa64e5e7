import type { ProductEvent } from '@stockstream/contracts';
import type { InventoryRepository } from '@stockstream/inventory-api';
import type { Handler, HandlerContext, HandlerMap } from './handler';
import { productCreated } from './product-created';
import { productDeleted } from './product-deleted';
import { productUpdated } from './product-updated';

/** Every event type and its handler, in one place. */
export const handlers: HandlerMap = {
  'product.created': productCreated,
  'product.updated': productUpdated,
  'product.deleted': productDeleted,
};

const handlerOf = (type: ProductEvent['type']) => handlers[type] as unknown as Handler<ProductEvent['type']>;

export function handleOne(inventory: InventoryRepository, event: ProductEvent, context: HandlerContext): Promise<void> {
  return handlerOf(event.type).one(inventory, event as never, context);
}

/** Events of one type, in stream order. */
export function handleRun(inventory: InventoryRepository, events: ProductEvent[], context: HandlerContext): Promise<void> {
  const [first] = events;
  return first ? handlerOf(first.type).many(inventory, events as never[], context) : Promise.resolve();
}
