import type { Handler } from './handler';

const noRecord = (productId: string) => new Error(`no inventory record for product ${productId} (yet)`);

/**
 * The record follows the product's sku and name. No record yet means its product.created has not been
 * applied (another worker holds it, or it is being retried): fail, so that this event is retried after it.
 */
export const productUpdated: Handler<'product.updated'> = {
  one: async (inventory, event) => {
    if (!(await inventory.refreshProduct(event.data))) throw noRecord(event.data.productId);
  },
  many: async (inventory, events) => {
    const [missing] = await inventory.refreshProducts(events.map((event) => event.data));
    if (missing !== undefined) throw noRecord(missing);
  },
};
