import type { Express } from 'express';
import type { Logger } from '@stockstream/platform';
import { createBaseApp, finishApp } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma';
import { inventoryOpenApi } from './openapi';
import { inventoryRoutes } from './inventory-routes';
import { healthRoutes } from './health-routes';

export interface InventoryAppDeps {
  db: InventoryDb;
  logger: Logger;
}

export function createInventoryApp({ db, logger }: InventoryAppDeps): Express {
  const app = createBaseApp({ logger, openApiDocument: inventoryOpenApi() });
  app.use('/api/inventory', inventoryRoutes(db));
  app.use('/health', healthRoutes(db));
  return finishApp(app, logger);
}
