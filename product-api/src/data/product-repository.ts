import type { Product, ProductEvent, ProductInput, ProductListQuery, ProductPage } from '@stockstream/contracts';
import { AppError, decodeCursor, encodeCursor } from '@stockstream/platform';
import type { ProductDb, ProductRow } from '@stockstream/prisma';
import { ProductPrisma } from '@stockstream/prisma';

import { productEvent } from '../domain/product-events';

type Tx = Parameters<Parameters<ProductDb['$transaction']>[0]>[0];

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

function skuTaken(sku: string): AppError {
  return AppError.conflict('duplicate-sku', `A product with sku "${sku}" already exists`, [
    { path: 'body.sku', message: `sku "${sku}" is already taken` },
  ]);
}

function versionFilter(versions: number[] | undefined) {
  return versions === undefined ? {} : { version: { in: versions } };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof ProductPrisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

async function recordEvent(tx: Tx, event: ProductEvent): Promise<void> {
  await tx.outboxEvent.create({
    data: {
      eventId: event.id,
      productId: event.data.productId,
      type: event.type,
      envelope: event as unknown as ProductPrisma.InputJsonObject,
    },
  });
}

/** Products and their outbox: every change commits together with the event that announces it. */
export class ProductRepository {
  constructor(private readonly db: ProductDb) {}

  async create(input: ProductInput, correlationId: string | undefined): Promise<Product> {
    try {
      return await this.db.$transaction(async (tx) => {
        const product = toProduct(await tx.product.create({ data: { ...input, description: input.description ?? null } }));
        await recordEvent(tx, productEvent('product.created', product, correlationId));
        return product;
      });
    } catch (error) {
      throw isUniqueViolation(error) ? skuTaken(input.sku) : error;
    }
  }

  async findById(id: string): Promise<Product | undefined> {
    const row = await this.db.product.findUnique({ where: { id } });
    return row ? toProduct(row) : undefined;
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
        await recordEvent(tx, productEvent('product.updated', product, correlationId));
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
      await recordEvent(tx, productEvent('product.deleted', toProduct(row), correlationId));
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
