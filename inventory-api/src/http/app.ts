import type { Express } from 'express';
import type { Logger, RedisClient, Registry } from '@stockstream/platform';
import { OutageMonitor, createBaseApp, finishApp } from '@stockstream/platform/http';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryAdmin } from '../admin/inventory-admin';
import { adminConsumptionRoutes } from './admin-consumption-routes';
import { adminDeadLetterRoutes } from './admin-dlq-routes';
import { adminAuditRoutes, adminJobRoutes } from './admin-jobs-routes';
import { adminDisabledPage, adminPageRoutes } from './admin-page/admin-page-routes';
import type { SignInThrottle } from './admin-page/sign-in-throttle';
import { registerAdminPaths } from './admin-openapi';
import { healthRoutes } from './health-routes';
import { inventoryOpenApi } from './openapi';
import { inventoryRoutes } from './inventory-routes';
import { stockProblem } from './stock-problems';

export interface InventoryAppDeps {
  db: InventoryDb;
  logger: Logger;
  metrics: Registry;
  /** Used by /admin and reported by readiness; absent, neither mentions it. */
  redis?: RedisClient;
  /**
   * /admin/* and the dead-letter page at /admin are served only with it: without admin keys configured
   * /admin/dlq does not exist (404) and /admin says that admin is disabled.
   */
  admin?: InventoryAdmin;
  /** The admin page's sign-in throttle (tests pass a quicker one). */
  signInThrottle?: SignInThrottle;
}

export function createInventoryApp({ db, logger, metrics, redis, admin, signInThrottle }: InventoryAppDeps): Express {
  const base = { logger, metrics, openApiDocument: inventoryOpenApi(admin ? [registerAdminPaths] : []), formPaths: ['/admin'] };
  const app = createBaseApp(base);
  app.use('/api/inventory', inventoryRoutes(db));
  if (admin && redis) {
    app.use('/admin/dlq', adminDeadLetterRoutes(admin));
    app.use('/admin/consumption', adminConsumptionRoutes(admin));
    app.use('/admin/jobs', adminJobRoutes(admin));
    app.use('/admin/audit', adminAuditRoutes(admin));
    app.use('/admin', adminPageRoutes({ admin, db, redis, logger, ...(signInThrottle ? { throttle: signInThrottle } : {}) }));
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
