import { Router } from 'express';
import type { RedisClient } from '@stockstream/platform';
import { errorMessage } from '@stockstream/platform';
import type { ProductDb } from '@stockstream/prisma';

/**
 * Ready means the database answers. Redis is reported but does not fail readiness: while it is away the
 * API keeps taking changes and the outbox holds their events.
 */
export function healthRoutes(db: ProductDb, redis: RedisClient, outboxBacklog: () => Promise<number>): Router {
  const router = Router();
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    let outbox: number | undefined;
    try {
      await db.$queryRaw`SELECT 1`;
      outbox = await outboxBacklog();
      checks.database = { ok: true };
    } catch (error) {
      checks.database = { ok: false, detail: errorMessage(error).split('\n')[0] };
    }
    checks.redis = redis.isReady ? { ok: true } : { ok: false, detail: 'not connected; events wait in the outbox' };
    const status = !checks.database.ok ? 'unavailable' : checks.redis.ok ? 'ready' : 'degraded';
    res.status(status === 'unavailable' ? 503 : 200).json({ status, checks, ...(outbox === undefined ? {} : { outboxBacklog: outbox }) });
  });
  return router;
}
