import type { ProductDb, ProductRow } from '@stockstream/prisma/product';
import { recordEvents } from '../data/outbox';
import { toProduct } from '../data/product-repository';
import { deletionEvent, productEvent } from '../domain/product-events';
import type { RecordKey } from './drift';

/**
 * Announces again, through the outbox, the current state of products whose stock record drifted: the
 * product as it is now for a missing or stale record, a deletion for a record whose product is gone.
 * The worker applies them by version, so nothing newer is undone. Product rows are locked while their
 * events are written, so that the events follow any concurrent change in commit order. The inventory
 * database is never written here. Answers how many events were written.
 */
export async function announceCurrentState(
  db: ProductDb,
  drifted: { productIds: string[]; orphans: RecordKey[] },
  correlationId: string,
): Promise<number> {
  const ids = [...drifted.productIds, ...drifted.orphans.map((record) => record.productId)];
  if (ids.length === 0) return 0;
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<ProductRow[]>`
      SELECT id::text, sku, name, description, price, version, created_at AS "createdAt", updated_at AS "updatedAt"
      FROM products WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
    const existing = new Map(rows.map((row) => [row.id, row]));
    const events = [
      ...drifted.productIds.flatMap((id) => {
        const row = existing.get(id);
        return row ? [productEvent(row.version === 1 ? 'product.created' : 'product.updated', toProduct(row), correlationId)] : [];
      }),
      ...drifted.orphans
        .filter((record) => !existing.has(record.productId))
        .map((record) => deletionEvent({ id: record.productId, sku: record.sku, version: record.productVersion }, correlationId)),
    ];
    await recordEvents(tx, events);
    return events.length;
  });
}
