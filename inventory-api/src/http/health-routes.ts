import { Router } from 'express';
import type { RedisClient } from '@stockstream/platform';
import { errorMessage, redisAnswers } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma/inventory';

/** Ready means the database answers; Redis (used only by /admin/dlq) is reported, and makes it "degraded" when away. */
export function healthRoutes(db: InventoryDb, redis?: RedisClient): Router {
  const router = Router();
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await db.$queryRaw`SELECT 1`;
      checks.database = { ok: true };
    } catch (error) {
      checks.database = { ok: false, detail: errorMessage(error).split('\n')[0] };
    }
    if (redis)
      checks.redis = (await redisAnswers(redis)) ? { ok: true } : { ok: false, detail: 'not answering; /admin/dlq is unavailable' };
    const status = !checks.database.ok ? 'unavailable' : Object.values(checks).every((check) => check.ok) ? 'ready' : 'degraded';
    res.status(status === 'unavailable' ? 503 : 200).json({ status, checks });
  });
  return router;
}
