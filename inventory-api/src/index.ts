// What the inventory-worker shares with this service: the stock records and their rules, never HTTP code.
export { InventoryRepository } from './data/inventory-repository';
export type { Queryable as InventoryQueryable } from './data/inventory-repository';
