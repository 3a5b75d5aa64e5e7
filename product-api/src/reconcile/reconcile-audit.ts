import type { ReconcileReport } from '@stockstream/contracts';
import { errorMessage } from '@stockstream/platform';
import { ReconcileRunning } from './one-run-at-a-time';
import { reconcile } from './reconcile';
import type { ReconcileDatabases, ReconcileOptions } from './reconcile';

/**
 * Runs reconcile and records it in the products database's audit (admin_actions): who, what it found and
 * repaired, or why it did not run.
 */
export async function auditedReconcile(databases: ReconcileDatabases, options: ReconcileOptions, actor: string): Promise<ReconcileReport> {
  const action = options.repair ? 'reconcile.repair' : 'reconcile';
  const record = (outcome: string, count: number | null, detail: string) =>
    databases.products.adminAction.create({ data: { actor: actor.slice(0, 100), action, count, outcome, detail: detail.slice(0, 1000) } });
  let report: ReconcileReport;
  try {
    report = await reconcile(databases, options);
  } catch (error) {
    await record(error instanceof ReconcileRunning ? 'refused' : 'failed', null, errorMessage(error)).catch(() => undefined);
    throw error;
  }
  await record(
    'ok',
    report.repaired,
    `run ${report.runId}: ${report.missing.count} missing, ${report.orphans.count} orphans (${report.kept.count} kept), ${report.behind.count} behind, ${report.repaired} repaired${options.deleteWithHistory ? ', deleteWithHistory' : ''}`,
  );
  return report;
}
