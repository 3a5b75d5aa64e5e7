// The worker's own SQL, sent straight through pg: per batch of the worker's batch size, one transaction
// that locks the batch's products and records the event ids (one statement), and applies each product's newest event in
// one statement per rule. What the worker would do with no Redis, no parsing and no Prisma: the drain's
// yardstick.
import { Client } from 'pg';
import type { ProductEvent } from '@stockstream/contracts';
import { newestPerProduct, versionOf } from '@stockstream/inventory-core';

const LOCK_AND_RECORD = `INSERT INTO processed_events (event_id, type, stream_id)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
  WHERE (SELECT count(pg_advisory_xact_lock(key)) FROM (
    SELECT DISTINCT hashtextextended(id::text, 0) AS key FROM unnest($4::uuid[]) AS id ORDER BY key) AS keys) >= 0
  ON CONFLICT (event_id) DO NOTHING RETURNING event_id::text`;
const UPSERT = `WITH incoming AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[]) AS i(product_id, sku, name, product_version))
  INSERT INTO inventory_items AS item (product_id, sku, name, quantity, product_version, updated_at)
  SELECT i.product_id, i.sku, i.name, 100, i.product_version, now() FROM incoming i
  WHERE NOT EXISTS (SELECT 1 FROM product_tombstones t WHERE t.product_id = i.product_id AND t.product_version >= i.product_version)
  ON CONFLICT (product_id) DO UPDATE SET sku = EXCLUDED.sku, name = EXCLUDED.name,
    product_version = GREATEST(item.product_version, EXCLUDED.product_version), version = item.version + 1, updated_at = now()
  WHERE item.product_version < EXCLUDED.product_version OR EXCLUDED.product_version = 0
  RETURNING item.product_id::text`;
const REMOVE = `WITH incoming AS (SELECT * FROM unnest($1::uuid[], $2::int[]) AS d(product_id, product_version)),
  removed AS (DELETE FROM inventory_items item USING incoming d WHERE item.product_id = d.product_id AND item.product_version <= d.product_version)
  INSERT INTO product_tombstones AS t (product_id, product_version, deleted_at) SELECT product_id, product_version, now() FROM incoming
  ON CONFLICT (product_id) DO UPDATE SET product_version = EXCLUDED.product_version, deleted_at = now()
  WHERE t.product_version < EXCLUDED.product_version RETURNING t.product_id::text`;

/** Events/s of applying `events` in batches of `batchSize`, on one connection. */
export async function directApply(url: string, events: ProductEvent[], batchSize: number): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const began = performance.now();
    for (let start = 0; start < events.length; start += batchSize) {
      const batch = events.slice(start, start + batchSize).map((event, i) => ({ event, streamId: `${start + i + 1}-0` }));
      await client.query('BEGIN');
      const sorted = [...batch].sort((a, b) => (a.event.id < b.event.id ? -1 : 1));
      const recorded = await client.query<{ event_id: string }>(LOCK_AND_RECORD, [
        sorted.map((b) => b.event.id),
        sorted.map((b) => b.event.type),
        sorted.map((b) => b.streamId),
        batch.map(({ event }) => event.data.productId),
      ]);
      const fresh = new Set(recorded.rows.map((row) => row.event_id));
      const newest = newestPerProduct(batch.filter(({ event }) => fresh.delete(event.id)));
      const snapshots = newest.flatMap(({ event }) =>
        event.type === 'product.deleted' ? [] : [{ ...event.data, productVersion: versionOf(event) }],
      );
      const removals = newest.flatMap(({ event }) =>
        event.type === 'product.deleted' ? [{ productId: event.data.productId, productVersion: versionOf(event) }] : [],
      );
      if (snapshots.length > 0) {
        await client.query(UPSERT, [
          snapshots.map((s) => s.productId),
          snapshots.map((s) => s.sku),
          snapshots.map((s) => s.name),
          snapshots.map((s) => s.productVersion),
        ]);
      }
      if (removals.length > 0) await client.query(REMOVE, [removals.map((r) => r.productId), removals.map((r) => r.productVersion)]);
      await client.query('COMMIT');
    }
    return events.length / ((performance.now() - began) / 1000);
  } finally {
    await client.end();
  }
}
