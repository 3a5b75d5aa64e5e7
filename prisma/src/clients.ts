import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as ProductPrismaClient } from '../generated/product/client';
import { PrismaClient as InventoryPrismaClient } from '../generated/inventory/client';

export interface ClientOptions {
  /** Connections in the pool; a two-core machine is served best by a few. */
  poolSize?: number;
  onPoolError?: (error: Error) => void;
}

function adapterFor(url: string, { poolSize = 10, onPoolError }: ClientOptions) {
  return new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 }, onPoolError ? { onPoolError } : undefined);
}

export function createProductDb(url: string, options: ClientOptions = {}) {
  return new ProductPrismaClient({ adapter: adapterFor(url, options) });
}

export function createInventoryDb(url: string, options: ClientOptions = {}) {
  return new InventoryPrismaClient({ adapter: adapterFor(url, options) });
}

export type ProductDb = ReturnType<typeof createProductDb>;
export type InventoryDb = ReturnType<typeof createInventoryDb>;
