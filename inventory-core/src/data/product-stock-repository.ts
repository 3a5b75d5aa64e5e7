import type { Queryable } from './inventory-repository';

/** What a product event says of its product, as far as stock cares. */
export interface ProductSnapshot {
  productId: string;
  sku: string;
  name: string;
  /** 0: an unversioned update, applied over whatever the record holds. */
  productVersion: number;
}

export interface ProductRemoval {
  productId: string;
  productVersion: number;
}

/**
 * What the product stream does to stock, many products per statement. Each statement applies only what
 * is newer than the version the inventory side knows, so the result does not depend on delivery order.
 * Stock itself (quantity, reserved) is written only when a record is first made.
 */
export class ProductStockRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Locks the products, then records the event ids, in one statement (one round trip); answers the ids
   * that were new (the rest were applied before). The lock serializes this transaction with any other
   * that applies events of the same products, until commit: without it, a delete and a create of one
   * product in two transactions could each miss the other's uncommitted row and leave a record behind a
   * tombstone. Keys are taken in one order, so two batches never wait on each other in a circle. The
   * lock is an uncorrelated subquery of the WHERE clause, which Postgres runs once, before the first row
   * is inserted; the statements after this one see whatever the previous lock holder committed.
   */
  async lockAndRecord(productIds: string[], events: { eventId: string; type: string; streamId: string }[]): Promise<Set<string>> {
    const sorted = [...events].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    const rows = await this.db.$queryRaw<{ event_id: string }[]>`
      INSERT INTO processed_events (event_id, type, stream_id)
      SELECT * FROM unnest(${sorted.map((e) => e.eventId)}::uuid[], ${sorted.map((e) => e.type)}::text[], ${sorted.map((e) => e.streamId)}::text[])
      WHERE (SELECT count(pg_advisory_xact_lock(key)) FROM (
               SELECT DISTINCT hashtextextended(id::text, 0) AS key FROM unnest(${productIds}::uuid[]) AS id ORDER BY key
             ) AS keys) >= 0
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id::text`;
    return new Set(rows.map((row) => row.event_id));
  }

  /**
   * Makes or refreshes each product's record: a product with no record and no tombstone at or above this
   * version gets one with `initialStock`; a record at an older version takes the sku, name and version.
   * Answers the products whose record changed.
   */
  async upsertSnapshots(snapshots: ProductSnapshot[], initialStock: number): Promise<Set<string>> {
    if (snapshots.length === 0) return new Set();
    const rows = await this.db.$queryRaw<{ product_id: string }[]>`
      WITH incoming AS (
        SELECT * FROM unnest(${snapshots.map((s) => s.productId)}::uuid[], ${snapshots.map((s) => s.sku)}::text[],
                             ${snapshots.map((s) => s.name)}::text[], ${snapshots.map((s) => s.productVersion)}::int[])
          AS i(product_id, sku, name, product_version)
      )
      INSERT INTO inventory_items AS item (product_id, sku, name, quantity, product_version, updated_at)
      SELECT i.product_id, i.sku, i.name, ${initialStock}, i.product_version, now() FROM incoming i
      WHERE NOT EXISTS (SELECT 1 FROM product_tombstones t WHERE t.product_id = i.product_id AND t.product_version >= i.product_version)
      ON CONFLICT (product_id) DO UPDATE
        SET sku = EXCLUDED.sku, name = EXCLUDED.name, product_version = GREATEST(item.product_version, EXCLUDED.product_version),
            version = item.version + 1, updated_at = now()
        WHERE item.product_version < EXCLUDED.product_version OR EXCLUDED.product_version = 0
      RETURNING item.product_id::text`;
    return new Set(rows.map((row) => row.product_id));
  }

  /**
   * Leaves a tombstone at the deletion's version and removes the record (with its reservations and
   * ledger). Answers the products whose tombstone is new or newer.
   */
  async removeProducts(removals: ProductRemoval[]): Promise<Set<string>> {
    if (removals.length === 0) return new Set();
    const rows = await this.db.$queryRaw<{ product_id: string }[]>`
      WITH incoming AS (
        SELECT * FROM unnest(${removals.map((r) => r.productId)}::uuid[], ${removals.map((r) => r.productVersion)}::int[])
          AS d(product_id, product_version)
      ), removed AS (
        DELETE FROM inventory_items item USING incoming d
        WHERE item.product_id = d.product_id AND item.product_version <= d.product_version
      )
      INSERT INTO product_tombstones AS t (product_id, product_version, deleted_at)
      SELECT product_id, product_version, now() FROM incoming
      ON CONFLICT (product_id) DO UPDATE SET product_version = EXCLUDED.product_version, deleted_at = now()
        WHERE t.product_version < EXCLUDED.product_version
      RETURNING t.product_id::text`;
    return new Set(rows.map((row) => row.product_id));
  }

  /**
   * Deletes processed-event ids and tombstones past their retention, at most `limit` of each, so that a
   * run holds no long lock; answers how many went.
   */
  async prune(retention: { processedEventsMs: number; tombstonesMs: number }, limit: number): Promise<number> {
    const processed = await this.db.$executeRaw`
      DELETE FROM processed_events WHERE event_id IN (
        SELECT event_id FROM processed_events
        WHERE processed_at < now() - make_interval(secs => ${retention.processedEventsMs / 1000}) LIMIT ${limit})`;
    const tombstones = await this.db.$executeRaw`
      DELETE FROM product_tombstones WHERE product_id IN (
        SELECT product_id FROM product_tombstones
        WHERE deleted_at < now() - make_interval(secs => ${retention.tombstonesMs / 1000}) LIMIT ${limit})`;
    return processed + tombstones;
  }
}
