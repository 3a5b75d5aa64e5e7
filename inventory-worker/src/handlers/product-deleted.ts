import type { ProductEvent } from '@stockstream/contracts';
import type { InventoryRepository } from '@stockstream/inventory-api';

type ProductDeleted = Extract<ProductEvent, { type: 'product.deleted' }>;

/** The record of a deleted product goes, with its reservations. */
export async function productDeleted(inventory: InventoryRepository, event: ProductDeleted): Promise<void> {
  await inventory.removeForProduct(event.data.productId);
}
