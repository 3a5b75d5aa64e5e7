import { randomUUID } from 'node:crypto';
import type { Product, ProductInput, ProductListQuery, ProductPage } from '@stockstream/contracts';
import { decodeCursor, encodeCursor } from '@stockstream/platform';
import type { SqlPool } from '@stockstream/prisma';
import type { ProductDb, ProductRow } from '@stockstream/prisma/product';
import { isUniqueViolation } from '@stockstream/prisma';
import { ProductPrisma } from '@stockstream/prisma/product';

import { productNotFound, skuTaken, staleVersion } from '../domain/product-errors';
import { productEvent, twoDecimals } from '../domain/product-events';
import { recordEvents } from './outbox';
import type { Tx } from './outbox';

/** A product as the API answers it, from a row however it was read (`price` already as its text). */
function productOf(row: Omit<ProductRow, 'price'>, price: string): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    price,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** From a row as Prisma answers it (camelCase, price a Decimal). */
export function toProduct(row: ProductRow): Product {
  return productOf(row, row.price.toFixed(2));
}

/** A products row as pg answers it: snake_case, numeric as its text (always two decimals here). */
interface ProductRecord {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Its fields named one by one, not spread from the row: see `event` in domain/product-events. */
function fromRecord(row: ProductRecord): Product {
  const { id, sku, name, description, version, created_at: createdAt, updated_at: updatedAt } = row;
  return productOf({ id, sku, name, description, version, createdAt, updatedAt }, row.price);
}

/** The columns ProductRecord holds, named: a prepared statement's result may not change shape under it. */
const PRODUCT_COLUMNS = 'id, sku, name, description, price, version, created_at, updated_at';

/**
 * The hot paths' statements, named: pg prepares each once per connection and then only binds and
 * executes it, so Postgres parses and plans it once instead of on every request. That took about a third
 * of Postgres' CPU a request off these two (bench/history/2026-11-performance-notebook.md). Both name their columns: a migration
 * that adds one leaves them as they are.
 */
const statements = {
  /** The product and its event in one statement (one round trip): both commit, or neither. */
  create: {
    name: 'product-api.create',
    text: `
      WITH created AS (
        INSERT INTO products (id, sku, name, description, price, version, updated_at)
        VALUES ($1::uuid, $2, $3, $4, $5::numeric, 1, now())
        RETURNING ${PRODUCT_COLUMNS}
      ), recorded AS (
        INSERT INTO outbox (event_id, product_id, type, envelope)
        SELECT $6::uuid, id, $7, $8::jsonb FROM created
      )
      SELECT ${PRODUCT_COLUMNS} FROM created`,
  },
  findById: {
    name: 'product-api.find-by-id',
    text: `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = $1::uuid`,
  },
} as const;

function versionFilter(versions: number[] | undefined) {
  return versions === undefined ? {} : { version: { in: versions } };
}

/**
 * Products and their outbox: every change commits together with the event that announces it. The create
 * and the read by id, the hot paths, go straight to the pool Prisma shares; the rest through Prisma.
 */
export class ProductRepository {
  constructor(
    private readonly db: ProductDb,
    private readonly sql: SqlPool,
  ) {}

  async create(input: ProductInput, correlationId: string | undefined): Promise<Product> {
    const id = randomUUID();
    const event = productEvent(
      'product.created',
      { id, sku: input.sku, name: input.name, price: twoDecimals(input.price), version: 1 },
      correlationId,
    );
    try {
      const { rows } = await this.sql.query<ProductRecord>({
        ...statements.create,
        values: [id, input.sku, input.name, input.description ?? null, input.price, event.id, event.type, JSON.stringify(event)],
      });
      if (!rows[0]) throw new Error('insert returned no row');
      return fromRecord(rows[0]);
    } catch (error) {
      throw isUniqueViolation(error) ? skuTaken(input.sku) : error;
    }
  }

  async findById(id: string): Promise<Product | undefined> {
    const { rows } = await this.sql.query<ProductRecord>({ ...statements.findById, values: [id] });
    return rows[0] ? fromRecord(rows[0]) : undefined;
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

  /** Full replace. `versions` is what If-Match accepts (undefined: any); a mismatch is a stale version. */
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

  /** No row matched id and version: the product is gone, or at another version. */
  private async explainNoMatch(tx: Tx, id: string, error: unknown): Promise<never> {
    if (!(error instanceof ProductPrisma.PrismaClientKnownRequestError && error.code === 'P2025')) throw error;
    const current = await tx.product.findUnique({ where: { id }, select: { version: true } });
    if (!current) throw productNotFound(id);
    throw staleVersion(current.version);
  }
}
