import { Router } from 'express';
import { errorMessage } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma';

export function healthRoutes(db: InventoryDb): Router {
  const router = Router();
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await db.$queryRaw`SELECT 1`;
      res.json({ status: 'ready', checks: { database: { ok: true } } });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', checks: { database: { ok: false, detail: errorMessage(error).split('\n')[0] } } });
    }
  });
  return router;
}
