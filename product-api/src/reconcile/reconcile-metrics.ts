import { Gauge } from '@stockstream/platform';
import type { Registry } from '@stockstream/platform';
import type { ProductDb } from '@stockstream/prisma/product';

/** The last reconcile run (by the CLI or the admin route), read at scrape from where each run is stored. */
export function reconcileMetrics(registry: Registry, db: ProductDb): void {
  const lastRun = () => db.reconcileRun.findFirst({ orderBy: { id: 'desc' } });
  new Gauge({
    name: 'reconcile_last_run_timestamp_seconds',
    help: 'When the last reconcile (products against inventory records) finished; absent before the first',
    registers: [registry],
    async collect() {
      const run = await lastRun();
      if (run) this.set(run.finishedAt.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'reconcile_drift',
    help: 'What the last reconcile found: missing records, orphan records, records behind their product',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const run = await lastRun();
      if (!run) return;
      this.set({ kind: 'missing' }, run.missing);
      this.set({ kind: 'orphan' }, run.orphans);
      this.set({ kind: 'behind' }, run.behind);
    },
  });
}
