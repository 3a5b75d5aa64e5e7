import { randomUUID } from 'node:crypto';
import type { ReconcileReport } from '@stockstream/contracts';
import type { InventoryDb, ProductDb } from '@stockstream/prisma';
import { findDrift } from './drift';
import type { Drift, RecordKey } from './drift';
import { announceCurrentState } from './repair';

export interface ReconcileOptions {
  /** Announce each drifted product's current state again through the outbox. */
  repair: boolean;
  pageSize?: number;
  samples?: number;
}

const REPAIR_CHUNK = 500;

/**
 * Compares the products database (the truth) with the inventory records: products without a record,
 * records without a product, records behind their product's version. Both sides are paged by key, so
 * memory stays flat. With `repair`, drifted products are announced again through the outbox (never by
 * writing the inventory database), a chunk at a time as the walk goes. The result is stored, for the
 * reconcile metrics.
 */
export async function reconcile(products: ProductDb, inventory: InventoryDb, options: ReconcileOptions): Promise<ReconcileReport> {
  const startedAt = new Date();
  const runId = randomUUID();
  const sampleSize = options.samples ?? 10;
  const report: ReconcileReport = {
    runId,
    products: 0,
    records: 0,
    missing: { count: 0, samples: [] },
    orphans: { count: 0, samples: [] },
    behind: { count: 0, samples: [] },
    repaired: 0,
    startedAt: startedAt.toISOString(),
    finishedAt: '',
  };
  let pending: { productIds: string[]; orphans: RecordKey[] } = { productIds: [], orphans: [] };
  const flush = async () => {
    if (options.repair) report.repaired += await announceCurrentState(products, pending, `reconcile-${runId}`);
    pending = { productIds: [], orphans: [] };
  };
  const sample = <T>(list: T[], item: T) => {
    if (list.length < sampleSize) list.push(item);
  };

  const seen = await findDrift(products, inventory, options.pageSize ?? 1_000, async (drift: Drift) => {
    if (drift.kind === 'missing') {
      report.missing.count++;
      sample(report.missing.samples, drift.product.id);
      pending.productIds.push(drift.product.id);
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
