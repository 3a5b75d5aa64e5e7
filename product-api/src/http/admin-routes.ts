import { Router } from 'express';
import { z } from 'zod';
import { envBoolean } from '@stockstream/platform';
import { AppError, adminOnly, parseRequest } from '@stockstream/platform/http';
import { reconcile } from '../reconcile/reconcile';
import type { ReconcileDatabases } from '../reconcile/reconcile';
import { ReconcileRunning } from '../reconcile/one-run-at-a-time';

export const ReconcileQuery = z.strictObject({
  repair: envBoolean(false).meta({ description: 'Announce each drifted product again through the outbox' }),
  deleteWithHistory: envBoolean(false).meta({
    description: 'With repair: also delete orphan records that hold reservations or stock adjustments (kept otherwise)',
  }),
});

/** /admin: operations behind the admin API key; served only when ADMIN_API_KEY is set. */
export function adminRoutes(databases: ReconcileDatabases, apiKey: string): Router {
  const router = Router();
  router.use(adminOnly(apiKey));
  router.post('/reconcile', async (req, res) => {
    const { repair, deleteWithHistory } = parseRequest(ReconcileQuery, req.query, 'query');
    try {
      res.json(await reconcile(databases, { repair, deleteWithHistory }));
    } catch (error) {
      if (!(error instanceof ReconcileRunning)) throw error;
      throw AppError.conflict('reconcile-running', error.message, undefined, { runningRunId: error.runId ?? null });
    }
  });
  return router;
}
