import type { Handler } from './handler';

/** The record of a deleted product goes, with its reservations; nothing to do when it is gone already. */
export const productDeleted: Handler<'product.deleted'> = {
  one: async (inventory, event) => {
    await inventory.removeForProduct(event.data.productId);
  },
  many: (inventory, events) => inventory.removeForProducts(events.map((event) => event.data.productId)),
};
