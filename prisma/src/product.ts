// The products database's client: `@stockstream/prisma/product`, loaded only by what uses it.
import { PrismaClient } from '../generated/product/client';
import { adapterFor } from './clients';
import type { PoolOptions, SqlPool } from './clients';

export { Prisma as ProductPrisma } from '../generated/product/client';
export type { Product as ProductRow, OutboxEvent as OutboxRow } from '../generated/product/client';

export function createProductDb(source: string | SqlPool, options: PoolOptions = {}) {
  return new PrismaClient({ adapter: adapterFor(source, options) });
}

export type ProductDb = ReturnType<typeof createProductDb>;
