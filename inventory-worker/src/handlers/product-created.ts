import type { ProductEvent } from '@stockstream/contracts';
import type { InventoryRepository } from '@stockstream/inventory-api';
import type { HandlerContext } from './handler';

type ProductCreated = Extract<ProductEvent, { type: 'product.created' }>;

/** A new product gets its stock record with the initial quantity. */
export async function productCreated(inventory: InventoryRepository, event: ProductCreated, context: HandlerContext): Promise<void> {
  await inventory.createForProduct(event.data, context.initialStock);
}
