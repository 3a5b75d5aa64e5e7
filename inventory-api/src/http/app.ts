import type { Express } from 'express';
import type { Logger, RedisClient, Registry } from '@stockstream/platform';
import { OutageMonitor, createBaseApp, finishApp } from '@stockstream/platform/http';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { ConsumptionSwitch } from '@stockstream/inventory-core';
import type { DeadLetterQueue } from '@stockstream/inventory-core';
import { adminConsumptionRoutes } from './admin-consumption-routes';
import { adminDeadLetterRoutes } from './admin-dlq-routes';
import { adminDisabledPage, adminPageRoutes } from './admin-page/admin-page-routes';
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
  /**
   * /admin/dlq and the dead-letter page at /admin are served only with it: without an API key configured
   * /admin/dlq does not exist (404) and /admin says that admin is disabled.
   */
  admin?: { apiKey: string; deadLetters: DeadLetterQueue; group: string; refreshSeconds: number };
}

export function createInventoryApp({ db, logger, metrics, redis, admin }: InventoryAppDeps): Express {
  const base = { logger, metrics, openApiDocument: inventoryOpenApi(admin ? [registerAdminPaths] : []), formPaths: ['/admin'] };
  const app = createBaseApp(base);
  app.use('/api/inventory', inventoryRoutes(db));
  if (admin && redis) {
    app.use('/admin/dlq', adminDeadLetterRoutes(admin.deadLetters, admin.apiKey));
    const consumption = new ConsumptionSwitch(redis, admin.deadLetters.productStream);
    app.use('/admin/consumption', adminConsumptionRoutes(consumption, admin.apiKey));
    const page = { redis, group: admin.group, refreshSeconds: admin.refreshSeconds };
    app.use('/admin', adminPageRoutes({ ...page, deadLetters: admin.deadLetters, consumption, apiKey: admin.apiKey }));
  } else {
    app.use('/admin', adminDisabledPage());
  }
  app.use('/health', healthRoutes(db, redis));
  const outages = new OutageMonitor(logger, {
    database: () => db.$queryRaw`SELECT 1`,
    redis: async () => redis?.ping(),
  });
  return finishApp(app, base, { mapDomainError: stockProblem, outages });
}
