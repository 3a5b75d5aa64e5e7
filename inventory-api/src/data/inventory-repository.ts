import type { InventoryCreate, InventoryItem, InventoryListQuery, Reservation } from '@stockstream/contracts';
import { AppError, decodeCursor, encodeCursor } from '@stockstream/platform';
import { InventoryPrisma } from '@stockstream/prisma';
import type { InventoryRecord } from '../domain/inventory-item';
import { toInventoryItem } from '../domain/inventory-item';
import { insufficientStock, inventoryNotFound, staleVersion } from '../domain/stock-errors';

export type Queryable = InventoryPrisma.TransactionClient;

/** What the product stream says of a product, as far as stock cares. */
export interface ProductDetails {
  productId: string;
  sku: string;
  name: string;
  productVersion?: number;
}

const MAX_STOCK = 2_147_483_647;

function versionMatches(versions: number[] | undefined) {
  return versions === undefined ? InventoryPrisma.sql`TRUE` : InventoryPrisma.sql`version = ANY(${versions}::int[])`;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof InventoryPrisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * Stock records and the operations on them. Every change of stock is one conditional statement: the
 * database checks the rule and applies the change in the same step, so concurrent requests cannot
 * both pass a check that only one of them should. When a statement matches nothing, a read says why.
 */
export class InventoryRepository {
  constructor(private readonly db: Queryable) {}

  async find(productId: string): Promise<InventoryItem | undefined> {
    const [row] = await this.db.$queryRaw<InventoryRecord[]>`SELECT * FROM inventory_items WHERE product_id = ${productId}::uuid`;
    return row ? toInventoryItem(row) : undefined;
  }

  async get(productId: string): Promise<InventoryItem> {
    const item = await this.find(productId);
    if (!item) throw inventoryNotFound(productId);
    return item;
  }

  async list({ limit, cursor, sku, lowStock }: InventoryListQuery): Promise<{ items: InventoryItem[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const conditions = [
      sku === undefined ? undefined : InventoryPrisma.sql`sku = ${sku}`,
      lowStock === undefined ? undefined : InventoryPrisma.sql`quantity - reserved <= ${lowStock}`,
      after === undefined ? undefined : InventoryPrisma.sql`(created_at, product_id) > (${after.createdAt}, ${after.id}::uuid)`,
    ].filter((condition) => condition !== undefined);
    const where = conditions.length === 0 ? InventoryPrisma.empty : InventoryPrisma.sql`WHERE ${InventoryPrisma.join(conditions, ' AND ')}`;
    const rows = await this.db.$queryRaw<InventoryRecord[]>`
      SELECT * FROM inventory_items ${where} ORDER BY created_at, product_id LIMIT ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toInventoryItem),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.product_id }) : null,
    };
  }

  async create(input: InventoryCreate): Promise<InventoryItem> {
    const [row] = await this.db.$queryRaw<InventoryRecord[]>`
      INSERT INTO inventory_items (product_id, sku, name, quantity, updated_at)
      VALUES (${input.productId}::uuid, ${input.sku}, ${input.name}, ${input.quantity}, now())
      ON CONFLICT (product_id) DO NOTHING RETURNING *`;
    if (!row) {
      throw AppError.conflict('inventory-exists', `Product ${input.productId} already has an inventory record`, [
        { path: 'body.productId', message: 'this product already has an inventory record' },
      ]);
    }
    return toInventoryItem(row);
  }

  /** Sets the quantity; refused when it would drop below what is reserved. */
  async setQuantity(productId: string, quantity: number, versions: number[] | undefined): Promise<InventoryItem> {
    const [row] = await this.db.$queryRaw<InventoryRecord[]>`
      UPDATE inventory_items SET quantity = ${quantity}, version = version + 1, updated_at = now()
      WHERE product_id = ${productId}::uuid AND ${versionMatches(versions)} AND reserved <= ${quantity}
      RETURNING *`;
    if (row) return toInventoryItem(row);
    const current = await this.get(productId);
    if (versions !== undefined && !versions.includes(current.version)) throw staleVersion(current.version);
    throw AppError.conflict('below-reserved', `quantity ${quantity} is below the ${current.reserved} already reserved`, [
      { path: 'body.quantity', message: `must be at least the reserved amount, ${current.reserved}` },
    ]);
  }

  async delete(productId: string, versions: number[] | undefined): Promise<void> {
    const deleted = await this.db.$executeRaw`
      DELETE FROM inventory_items WHERE product_id = ${productId}::uuid AND ${versionMatches(versions)}`;
    if (deleted > 0) return;
    throw staleVersion((await this.get(productId)).version);
  }

  /** Adds (or takes, with a negative delta) stock and records it in the ledger, in one statement. */
  async adjust(productId: string, delta: number, reason: string): Promise<InventoryItem> {
    const [row] = await this.db.$queryRaw<InventoryRecord[]>`
      WITH adjusted AS (
        UPDATE inventory_items SET quantity = quantity + ${delta}, version = version + 1, updated_at = now()
        WHERE product_id = ${productId}::uuid
          AND quantity::bigint + ${delta} >= reserved AND quantity::bigint + ${delta} <= ${MAX_STOCK}
        RETURNING *
      ), logged AS (
        INSERT INTO stock_adjustments (product_id, delta, reason) SELECT product_id, ${delta}, ${reason} FROM adjusted
      )
      SELECT * FROM adjusted`;
    if (row) return toInventoryItem(row);
    const current = await this.get(productId);
    if (delta > 0) {
      throw AppError.conflict('stock-limit', `quantity would exceed ${MAX_STOCK}`, [
        { path: 'body.delta', message: 'too large for this record' },
      ]);
    }
    throw insufficientStock(current.available, `cannot take ${-delta}`);
  }

  /**
   * Reserves available stock under a reference. The same reference again answers the reservation it
   * made (created: false), never a second one. The item row is locked first, so that the reference
   * check and the conditional reserve below see every committed reservation.
   */
  async reserve(productId: string, reference: string, quantity: number): Promise<{ reservation: Reservation; created: boolean }> {
    const [locked] = await this.db.$queryRaw<{ product_id: string }[]>`
      SELECT product_id FROM inventory_items WHERE product_id = ${productId}::uuid FOR UPDATE`;
    if (!locked) throw inventoryNotFound(productId);
    const existing = await this.db.reservation.findUnique({ where: { productId_reference: { productId, reference } } });
    if (existing) {
      if (existing.quantity !== quantity) {
        throw AppError.conflict('reservation-exists', `reference "${reference}" already reserves ${existing.quantity}`, [
          { path: 'body.reference', message: `already used for a reservation of ${existing.quantity}` },
        ]);
      }
      return { reservation: { ...existing, createdAt: existing.createdAt.toISOString() }, created: false };
    }
    const reserved = await this.db.$executeRaw`
      UPDATE inventory_items SET reserved = reserved + ${quantity}, version = version + 1, updated_at = now()
      WHERE product_id = ${productId}::uuid AND quantity - reserved >= ${quantity}`;
    if (reserved === 0) throw insufficientStock((await this.get(productId)).available, `cannot reserve ${quantity}`);
    try {
      const row = await this.db.reservation.create({ data: { productId, reference, quantity } });
      return { reservation: { ...row, createdAt: row.createdAt.toISOString() }, created: true };
    } catch (error) {
      throw isUniqueViolation(error) ? AppError.conflict('reservation-exists', `reference "${reference}" is already used`) : error;
    }
  }

  async listReservations(productId: string): Promise<Reservation[]> {
    await this.get(productId);
    const rows = await this.db.reservation.findMany({ where: { productId }, orderBy: { createdAt: 'asc' } });
    return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
  }

  /** Releases a reservation and gives its quantity back, in one statement. */
  async release(productId: string, reference: string): Promise<InventoryItem> {
    const [row] = await this.db.$queryRaw<InventoryRecord[]>`
      WITH released AS (
        DELETE FROM reservations WHERE product_id = ${productId}::uuid AND reference = ${reference} RETURNING quantity
      )
      UPDATE inventory_items SET reserved = reserved - released.quantity, version = version + 1, updated_at = now()
      FROM released WHERE inventory_items.product_id = ${productId}::uuid
      RETURNING inventory_items.*`;
    if (row) return toInventoryItem(row);
    await this.get(productId);
    throw AppError.notFound(`Reservation "${reference}" of product ${productId}`);
  }

  // What the product stream does to stock (the worker's handlers call these).

  /** A new product gets its record; one that exists already (made by hand, or by an earlier delivery) stays as it is. */
  async createForProduct(product: ProductDetails, initialStock: number): Promise<boolean> {
    const created = await this.db.$executeRaw`
      INSERT INTO inventory_items (product_id, sku, name, quantity, product_version, updated_at)
      VALUES (${product.productId}::uuid, ${product.sku}, ${product.name}, ${initialStock}, ${product.productVersion ?? 1}, now())
      ON CONFLICT (product_id) DO NOTHING`;
    return created > 0;
  }

  /**
   * Copies the product's new sku and name, unless the record already holds a later version of the
   * product (an older event delivered late changes nothing). False when the product has no record (yet).
   */
  async refreshProduct(product: ProductDetails): Promise<boolean> {
    const updated = await this.db.$executeRaw`
      UPDATE inventory_items
      SET sku = ${product.sku}, name = ${product.name}, product_version = GREATEST(product_version, ${product.productVersion ?? 0}),
          version = version + 1, updated_at = now()
      WHERE product_id = ${product.productId}::uuid AND (sku, name) IS DISTINCT FROM (${product.sku}, ${product.name})
        AND (${product.productVersion ?? null}::int IS NULL OR product_version < ${product.productVersion ?? null}::int)`;
    if (updated > 0) return true;
    return (await this.find(product.productId)) !== undefined;
  }

  /** Removes the record of a deleted product, with its reservations; nothing to do when it is gone already. */
  async removeForProduct(productId: string): Promise<boolean> {
    return (await this.db.$executeRaw`DELETE FROM inventory_items WHERE product_id = ${productId}::uuid`) > 0;
  }

  // The same three, for many products in one statement each (the worker's batches).

  async createForProducts(products: ProductDetails[], initialStock: number): Promise<void> {
    if (products.length === 0) return;
    await this.db.$executeRaw`
      INSERT INTO inventory_items (product_id, sku, name, quantity, product_version, updated_at)
      SELECT id, sku, name, ${initialStock}, product_version, now()
      FROM unnest(${products.map((p) => p.productId)}::uuid[], ${products.map((p) => p.sku)}::text[], ${products.map((p) => p.name)}::text[],
                  ${products.map((p) => p.productVersion ?? 1)}::int[]) AS p(id, sku, name, product_version)
      ON CONFLICT (product_id) DO NOTHING`;
  }

  /** Returns the ids of the products that have no record (nothing was changed for them). */
  async refreshProducts(products: ProductDetails[]): Promise<string[]> {
    if (products.length === 0) return [];
    const found = await this.db.$queryRaw<{ product_id: string }[]>`
      WITH incoming AS (
        SELECT * FROM unnest(${products.map((p) => p.productId)}::uuid[], ${products.map((p) => p.sku)}::text[], ${products.map((p) => p.name)}::text[],
                             ${products.map((p) => p.productVersion ?? null)}::int[]) AS p(id, sku, name, product_version)
      ), changed AS (
        UPDATE inventory_items
        SET sku = incoming.sku, name = incoming.name, product_version = GREATEST(inventory_items.product_version, coalesce(incoming.product_version, 0)),
            version = version + 1, updated_at = now()
        FROM incoming WHERE inventory_items.product_id = incoming.id AND (inventory_items.sku, inventory_items.name) IS DISTINCT FROM (incoming.sku, incoming.name)
          AND (incoming.product_version IS NULL OR inventory_items.product_version < incoming.product_version)
      )
      SELECT product_id::text FROM inventory_items WHERE product_id IN (SELECT id FROM incoming)`;
    const present = new Set(found.map((row) => row.product_id));
    return products.map((p) => p.productId).filter((id) => !present.has(id));
  }

  async removeForProducts(productIds: string[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.db.$executeRaw`DELETE FROM inventory_items WHERE product_id = ANY(${productIds}::uuid[])`;
  }
}
