import type { Handler } from './handler';

/** A new product gets its stock record with the initial quantity; a record that exists already stays as it is. */
export const productCreated: Handler<'product.created'> = {
  one: async (inventory, event, context) => {
    await inventory.createForProduct(event.data, context.initialStock);
  },
  many: (inventory, events, context) =>
    inventory.createForProducts(
      events.map((event) => event.data),
      context.initialStock,
    ),
};
