import { Router } from 'express';
import type { RedisClient } from '@stockstream/platform';
import { errorMessage, redisAnswers } from '@stockstream/platform';
import type { SqlPool } from '@stockstream/prisma';
import type { OutboxRelay } from '../relay/outbox-relay';

/**
 * Ready means the database answers. Redis and the broker (recovering after it lost the stream) are
 * reported but do not fail readiness: meanwhile the API keeps taking changes and the outbox holds them.
 */
export function healthRoutes(sql: SqlPool, redis: RedisClient, relay: Pick<OutboxRelay, 'backlog' | 'broker'>): Router {
  const router = Router();
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    let outbox: number | undefined;
    try {
      await sql.query('SELECT 1');
      outbox = await relay.backlog();
      checks.database = { ok: true };
    } catch (error) {
      checks.database = { ok: false, detail: errorMessage(error).split('\n')[0] };
    }
    checks.redis = (await redisAnswers(redis)) ? { ok: true } : { ok: false, detail: 'not answering; events wait in the outbox' };
    checks.broker = relay.broker.health();
    const status = !checks.database.ok ? 'unavailable' : checks.redis.ok && checks.broker.ok ? 'ready' : 'degraded';
    res.status(status === 'unavailable' ? 503 : 200).json({ status, checks, ...(outbox === undefined ? {} : { outboxBacklog: outbox }) });
  });
  return router;
}
