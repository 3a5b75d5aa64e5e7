import { randomUUID } from 'node:crypto';
import type { Product, ProductInput, ProductListQuery, ProductPage } from '@stockstream/contracts';
import { AppError, decodeCursor, encodeCursor } from '@stockstream/platform';
import type { ProductDb, ProductRow } from '@stockstream/prisma';
import { ProductPrisma } from '@stockstream/prisma';

import { productEvent, twoDecimals } from '../domain/product-events';
import { recordEvents } from './outbox';
import type { Tx } from './outbox';

export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    price: row.price.toFixed(2),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A products row as raw queries answer it (snake_case). */
interface ProductRecord {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: ProductPrisma.Decimal;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function fromRecord(row: ProductRecord): Product {
  return toProduct({ ...row, createdAt: row.created_at, updatedAt: row.updated_at });
}

function skuTaken(sku: string): AppError {
  return AppError.conflict('duplicate-sku', `A product with sku "${sku}" already exists`, [
    { path: 'body.sku', message: `sku "${sku}" is already taken` },
  ]);
}

function versionFilter(versions: number[] | undefined) {
  return versions === undefined ? {} : { version: { in: versions } };
}

/** P2002 from the query builder; from a raw query, Postgres' own 23505 under the driver adapter's error. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof ProductPrisma.PrismaClientKnownRequestError)) return false;
  const meta = error.meta as { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } | undefined;
  return (
    error.code === 'P2002' ||
    meta?.driverAdapterError?.cause?.originalCode === '23505' ||
    meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation'
  );
}

/** Products and their outbox: every change commits together with the event that announces it. */
export class ProductRepository {
  constructor(private readonly db: ProductDb) {}

  /** The product and its event in one statement (one round trip): both commit, or neither. */
  async create(input: ProductInput, correlationId: string | undefined): Promise<Product> {
    const id = randomUUID();
    const event = productEvent(
      'product.created',
      { id, sku: input.sku, name: input.name, price: twoDecimals(input.price), version: 1 },
      correlationId,
    );
    try {
      const [row] = await this.db.$queryRaw<ProductRecord[]>`
        WITH created AS (
          INSERT INTO products (id, sku, name, description, price, version, updated_at)
          VALUES (${id}::uuid, ${input.sku}, ${input.name}, ${input.description ?? null}, ${input.price}::numeric, 1, now())
          RETURNING *
        ), recorded AS (
          INSERT INTO outbox (event_id, product_id, type, envelope)
          SELECT ${event.id}::uuid, id, ${event.type}, ${JSON.stringify(event)}::jsonb FROM created
        )
        SELECT * FROM created`;
      if (!row) throw new Error('insert returned no row');
      return fromRecord(row);
    } catch (error) {
      throw isUniqueViolation(error) ? skuTaken(input.sku) : error;
    }
  }

  async findById(id: string): Promise<Product | undefined> {
    // Raw, since this is the hot read path: it skips the query compiler that findUnique goes through.
    const [row] = await this.db.$queryRaw<ProductRecord[]>`SELECT * FROM products WHERE id = ${id}::uuid`;
    return row ? fromRecord(row) : undefined;
  }

  async list({ limit, cursor, sku, name }: ProductListQuery): Promise<ProductPage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await this.db.product.findMany({
      where: {
        ...(sku === undefined ? {} : { sku }),
        ...(name === undefined ? {} : { name: { contains: name, mode: 'insensitive' } }),
        ...(after === undefined
          ? {}
          : { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toProduct), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** Full replace. `versions` is what If-Match accepts (undefined: any); a mismatch is a 412. */
  async replace(id: string, input: ProductInput, versions: number[] | undefined, correlationId: string | undefined): Promise<Product> {
    try {
      return await this.db.$transaction(async (tx) => {
        const row = await tx.product
          .update({
            where: { id, ...versionFilter(versions) },
            data: { ...input, description: input.description ?? null, version: { increment: 1 } },
          })
          .catch((error: unknown) => this.explainNoMatch(tx, id, error));
        const product = toProduct(row);
        await recordEvents(tx, [productEvent('product.updated', product, correlationId)]);
        return product;
      });
    } catch (error) {
      throw isUniqueViolation(error) ? skuTaken(input.sku) : error;
    }
  }

  async delete(id: string, versions: number[] | undefined, correlationId: string | undefined): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const row = await tx.product
        .delete({ where: { id, ...versionFilter(versions) } })
        .catch((error: unknown) => this.explainNoMatch(tx, id, error));
      await recordEvents(tx, [productEvent('product.deleted', toProduct(row), correlationId)]);
    });
  }

  /** No row matched id and version: a 404 when the product is gone, else a 412. */
  private async explainNoMatch(tx: Tx, id: string, error: unknown): Promise<never> {
    if (!(error instanceof ProductPrisma.PrismaClientKnownRequestError && error.code === 'P2025')) throw error;
    const current = await tx.product.findUnique({ where: { id }, select: { version: true } });
    if (!current) throw AppError.notFound(`Product ${id}`);
    throw AppError.preconditionFailed(
      `If-Match does not match the current version; the product is at version ${current.version} (ETag "${current.version}")`,
    );
  }
}
