// The inventory database's client: `@stockstream/prisma/inventory`, loaded only by what uses it.
import { PrismaClient } from '../generated/inventory/client';
import { adapterFor } from './clients';
import type { PoolOptions, SqlPool } from './clients';

export { Prisma as InventoryPrisma } from '../generated/inventory/client';
export type { InventoryItem as InventoryItemRow, Reservation as ReservationRow } from '../generated/inventory/client';

export function createInventoryDb(source: string | SqlPool, options: PoolOptions = {}) {
  return new PrismaClient({ adapter: adapterFor(source, options) });
}

export type InventoryDb = ReturnType<typeof createInventoryDb>;
