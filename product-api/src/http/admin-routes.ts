import { Router } from 'express';
import { z } from 'zod';
import { envBoolean } from '@stockstream/platform';
import { AppError, actorOf, adminOnly, parseRequest } from '@stockstream/platform/http';
import type { AdminKey } from '@stockstream/platform';
import { auditedReconcile } from '../reconcile/reconcile-audit';
import type { ReconcileDatabases } from '../reconcile/reconcile';
import { ReconcileRunning } from '../reconcile/one-run-at-a-time';

export const ReconcileQuery = z.strictObject({
  repair: envBoolean(false).meta({ description: 'Announce each drifted product again through the outbox' }),
  deleteWithHistory: envBoolean(false).meta({
    description: 'With repair: also delete orphan records that hold reservations or stock adjustments (kept otherwise)',
  }),
});

/** /admin: operations behind an admin key, audited under its name; served only when admin keys are set. */
export function adminRoutes(databases: ReconcileDatabases, keys: readonly AdminKey[]): Router {
  const router = Router();
  router.use(adminOnly(keys));
  router.post('/reconcile', async (req, res) => {
    const { repair, deleteWithHistory } = parseRequest(ReconcileQuery, req.query, 'query');
    try {
      res.json(await auditedReconcile(databases, { repair, deleteWithHistory }, actorOf(res)));
    } catch (error) {
      if (!(error instanceof ReconcileRunning)) throw error;
      throw AppError.conflict('reconcile-running', error.message, undefined, { runningRunId: error.runId ?? null });
    }
  });
  return router;
}
