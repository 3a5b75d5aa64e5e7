import type { ProductEvent } from '@stockstream/contracts';
import type { InventoryRepository } from '@stockstream/inventory-api';

type ProductUpdated = Extract<ProductEvent, { type: 'product.updated' }>;

/**
 * The record follows the product's sku and name. No record yet means its product.created has not been
 * applied (another worker holds it, or it is being retried): fail, so that this event is retried after it.
 */
export async function productUpdated(inventory: InventoryRepository, event: ProductUpdated): Promise<void> {
  if (!(await inventory.refreshProduct(event.data))) {
    throw new Error(`no inventory record for product ${event.data.productId} (yet)`);
  }
}
