import type { Express } from 'express';
import type { Logger, RedisClient, Registry } from '@stockstream/platform';
import { OutageMonitor, createBaseApp, finishApp } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma';
import type { DeadLetterQueue } from '@stockstream/inventory-core';
import { adminDeadLetterRoutes } from './admin-dlq-routes';
import { registerAdminPaths } from './admin-openapi';
import { healthRoutes } from './health-routes';
import { inventoryOpenApi } from './openapi';
import { inventoryRoutes } from './inventory-routes';
import { stockProblem } from './stock-problems';

export interface InventoryAppDeps {
  db: InventoryDb;
  logger: Logger;
  metrics: Registry;
  /** Used by /admin/dlq and reported by readiness; absent, neither mentions it. */
  redis?: RedisClient;
  /** /admin/dlq is served only with both: without an API key configured those routes do not exist (404). */
  admin?: { apiKey: string; deadLetters: DeadLetterQueue };
}

export function createInventoryApp({ db, logger, metrics, redis, admin }: InventoryAppDeps): Express {
  const app = createBaseApp({ logger, metrics, openApiDocument: inventoryOpenApi(admin ? [registerAdminPaths] : []) });
  app.use('/api/inventory', inventoryRoutes(db));
  if (admin) app.use('/admin/dlq', adminDeadLetterRoutes(admin.deadLetters, admin.apiKey));
  app.use('/health', healthRoutes(db, redis));
  const outages = new OutageMonitor(logger, {
    database: () => db.$queryRaw`SELECT 1`,
    redis: async () => redis?.ping(),
  });
  return finishApp(app, logger, { mapDomainError: stockProblem, outages });
}
