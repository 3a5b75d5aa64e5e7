import { randomUUID } from 'node:crypto';
import type { ReconcileReport } from '@stockstream/contracts';
import type { SqlPool } from '@stockstream/prisma';
import type { ProductDb } from '@stockstream/prisma/product';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { findDrift } from './drift';
import type { Drift, RecordKey } from './drift';
import { oneRunAtATime } from './one-run-at-a-time';
import { announceCurrentState } from './repair';

export interface ReconcileOptions {
  /** Announce each drifted product's current state again through the outbox. */
  repair: boolean;
  /** Let a repair delete orphans that hold reservations or stock adjustments too. */
  deleteWithHistory?: boolean;
  pageSize?: number;
  samples?: number;
}

export interface ReconcileDatabases {
  products: ProductDb;
  /** The pool under `products`, for the run's lock. */
  productsPool: SqlPool;
  inventory: InventoryDb;
}

const REPAIR_CHUNK = 500;

/** Of these records, the ones that hold reservations or stock adjustments (read, never written). */
async function withHistory(inventory: InventoryDb, records: RecordKey[]): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const ids = records.map((record) => record.productId);
  const rows = await inventory.$queryRaw<{ productId: string }[]>`
    SELECT item.product_id::text AS "productId" FROM inventory_items item
    WHERE item.product_id = ANY(${ids}::uuid[])
      AND (item.reserved > 0
        OR EXISTS (SELECT 1 FROM reservations r WHERE r.product_id = item.product_id)
        OR EXISTS (SELECT 1 FROM stock_adjustments a WHERE a.product_id = item.product_id))`;
  return new Set(rows.map((row) => row.productId));
}

/**
 * Compares the products database (the truth) with the inventory records: products without a record,
 * records without a product, records behind their product's version. Both sides are paged by key, so
 * memory stays flat. With `repair`, drifted products are announced again through the outbox (never by
 * writing the inventory database), a chunk at a time as the walk goes.
 *
 * What a repair never deletes: a record inventory-api made on purpose (`madeByApi`, not drift at all),
 * and, unless `deleteWithHistory`, an orphan holding reservations or stock adjustments (`kept`). One run
 * at a time: a second one is refused with `ReconcileRunning`. The result is stored, for the metrics.
 */
export async function reconcile(
  { products, productsPool, inventory }: ReconcileDatabases,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const runId = randomUUID();
  return oneRunAtATime(productsPool, runId, () => run(products, inventory, runId, options));
}

async function run(products: ProductDb, inventory: InventoryDb, runId: string, options: ReconcileOptions): Promise<ReconcileReport> {
  const startedAt = new Date();
  const sampleSize = options.samples ?? 10;
  const report: ReconcileReport = {
    runId,
    products: 0,
    records: 0,
    missing: { count: 0, samples: [] },
    orphans: { count: 0, samples: [] },
    kept: { count: 0, samples: [] },
    madeByApi: { count: 0, samples: [] },
    behind: { count: 0, samples: [] },
    repaired: 0,
    startedAt: startedAt.toISOString(),
    finishedAt: '',
  };
  const sample = <T>(list: T[], item: T) => {
    if (list.length < sampleSize) list.push(item);
  };
  let pending: { productIds: string[]; orphans: RecordKey[] } = { productIds: [], orphans: [] };
  const flush = async () => {
    const held = options.deleteWithHistory ? new Set<string>() : await withHistory(inventory, pending.orphans);
    for (const productId of held) {
      report.kept.count++;
      sample(report.kept.samples, productId);
    }
    const orphans = pending.orphans.filter((record) => !held.has(record.productId));
    if (options.repair)
      report.repaired += await announceCurrentState(products, { productIds: pending.productIds, orphans }, `reconcile-${runId}`);
    pending = { productIds: [], orphans: [] };
  };

  const seen = await findDrift(products, inventory, options.pageSize ?? 1_000, async (drift: Drift) => {
    if (drift.kind === 'missing') {
      report.missing.count++;
      sample(report.missing.samples, drift.product.id);
      pending.productIds.push(drift.product.id);
    } else if (drift.kind === 'orphan' && drift.record.origin === 'api') {
      report.madeByApi.count++;
      sample(report.madeByApi.samples, drift.record.productId);
    } else if (drift.kind === 'orphan') {
      report.orphans.count++;
      sample(report.orphans.samples, drift.record.productId);
      pending.orphans.push(drift.record);
    } else {
      report.behind.count++;
      sample(report.behind.samples, {
        productId: drift.product.id,
        recordVersion: drift.record.productVersion,
        productVersion: drift.product.version,
      });
      pending.productIds.push(drift.product.id);
    }
    if (pending.productIds.length + pending.orphans.length >= REPAIR_CHUNK) await flush();
  });
  await flush();

  Object.assign(report, seen, { finishedAt: new Date().toISOString() });
  await products.reconcileRun.create({
    data: {
      startedAt,
      products: report.products,
      records: report.records,
      missing: report.missing.count,
      orphans: report.orphans.count,
      behind: report.behind.count,
      repaired: report.repaired,
    },
  });
  return report;
}

export const driftCount = (report: ReconcileReport) => report.missing.count + report.orphans.count + report.behind.count;
