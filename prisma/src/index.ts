export * from './clients';
export * from './databases';
export * from './errors';
export * from './migrate';
export { Prisma as ProductPrisma } from '../generated/product/client';
export type { Product as ProductRow, OutboxEvent as OutboxRow } from '../generated/product/client';
export { Prisma as InventoryPrisma } from '../generated/inventory/client';
export type { InventoryItem as InventoryItemRow, Reservation as ReservationRow } from '../generated/inventory/client';
