import type { InventoryCreate, InventoryItem, InventoryListQuery, Reservation } from '@stockstream/contracts';
import { decodeCursor, encodeCursor } from '@stockstream/platform';
import { isUniqueViolation } from '@stockstream/prisma';
import { InventoryPrisma } from '@stockstream/prisma/inventory';
import type { InventoryRecord } from '../domain/inventory-item';
import { toInventoryItem } from '../domain/inventory-item';
import { StockError, insufficientStock, inventoryNotFound, staleVersion } from '../domain/stock-errors';

export type Queryable = InventoryPrisma.TransactionClient;

const MAX_STOCK = 2_147_483_647;

function versionMatches(versions: number[] | undefined) {
  return versions === undefined ? InventoryPrisma.sql`TRUE` : InventoryPrisma.sql`version = ANY(${versions}::int[])`;
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
      INSERT INTO inventory_items (product_id, sku, name, quantity, origin, updated_at)
      VALUES (${input.productId}::uuid, ${input.sku}, ${input.name}, ${input.quantity}, 'api', now())
      ON CONFLICT (product_id) DO NOTHING RETURNING *`;
    if (!row) {
      throw new StockError('inventory-exists', `Product ${input.productId} already has an inventory record`);
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
    throw new StockError('below-reserved', `quantity ${quantity} is below the ${current.reserved} already reserved`, {
      reserved: current.reserved,
    });
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
      throw new StockError('stock-limit', `quantity would exceed ${MAX_STOCK}`);
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
        throw new StockError('reservation-exists', `reference "${reference}" already reserves ${existing.quantity}`, {
          quantity: existing.quantity,
        });
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
      throw isUniqueViolation(error) ? new StockError('reservation-exists', `reference "${reference}" is already used`) : error;
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
    throw new StockError('reservation-not-found', `Reservation "${reference}" of product ${productId} does not exist`);
  }
}
