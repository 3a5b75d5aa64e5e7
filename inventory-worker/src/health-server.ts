import http from 'node:http';
import type { RedisClient } from '@stockstream/platform';
import { listen } from '@stockstream/platform';
import type { RunningServer } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { databaseAnswers } from './consumer/database-outage';
import type { StreamConsumer } from './consumer/stream-consumer';

export interface HealthDeps {
  db: InventoryDb;
  redis: RedisClient;
  consumer: StreamConsumer;
  /** Further routes (GET only), such as /metrics. */
  routes?: Record<string, () => Promise<{ status: number; contentType: string; body: string }>>;
}

async function readiness({ db, redis, consumer }: HealthDeps) {
  const checks = {
    database: (await databaseAnswers(db)) ? { ok: true } : { ok: false, detail: 'does not answer' },
    redis: redis.isReady ? { ok: true } : { ok: false, detail: 'not connected' },
    consumer: consumer.health(),
  };
  const ready = Object.values(checks).every((check) => check.ok);
  // A paused worker is ready: an orchestrator must not restart it for holding on purpose.
  const status = !ready ? 'unavailable' : consumer.paused ? 'paused' : 'ready';
  return { status: ready ? 200 : 503, body: { status, checks } };
}

/** The worker's small listener: /health/live, /health/ready and whatever `routes` adds. */
export function startHealthServer(deps: HealthDeps, port: number, host: string): Promise<RunningServer> {
  const handler: http.RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const reply = (status: number, contentType: string, body: string): void => {
      res.writeHead(status, { 'Content-Type': contentType }).end(body);
    };
    const json = (status: number, body: unknown): void => reply(status, 'application/json', JSON.stringify(body));
    if (req.method !== 'GET') return json(405, { status: 405, title: 'Method not allowed' });
    if (path === '/health/live') return json(200, { status: 'ok' });
    if (path === '/health/ready') {
      void readiness(deps).then(
        ({ status, body }) => json(status, body),
        () => json(503, { status: 'unavailable' }),
      );
      return;
    }
    const route = deps.routes?.[path];
    if (route) {
      void route().then(
        ({ status, contentType, body }) => reply(status, contentType, body),
        () => json(500, { status: 500, title: 'Internal error' }),
      );
      return;
    }
    json(404, { status: 404, title: 'Not found' });
  };
  return listen(handler, port, host);
}
