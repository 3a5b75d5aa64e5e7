import type { Express } from 'express';
import type { Logger, RedisClient, Registry } from '@stockstream/platform';
import { OutageMonitor, createBaseApp, finishApp } from '@stockstream/platform';
import type { ProductDb } from '@stockstream/prisma';
import { ProductRepository } from '../data/product-repository';
import { productOpenApi } from './openapi';
import { productsRoutes } from './products-routes';
import { healthRoutes } from './health-routes';

export interface ProductAppDeps {
  db: ProductDb;
  redis: RedisClient;
  logger: Logger;
  /** Called after each committed change, so the relay publishes at once. */
  onChange: () => void;
  outboxBacklog: () => Promise<number>;
  metrics: Registry;
}

export function createProductApp({ db, redis, logger, onChange, outboxBacklog, metrics }: ProductAppDeps): Express {
  const app = createBaseApp({ logger, openApiDocument: productOpenApi(), metrics });
  app.use('/api/products', productsRoutes(new ProductRepository(db), onChange));
  app.use('/health', healthRoutes(db, redis, outboxBacklog));
  // Requests only need the database: Redis is the relay's, and its outage only grows the outbox.
  const outages = new OutageMonitor(logger, { database: () => db.$queryRaw`SELECT 1` });
  return finishApp(app, logger, { outages });
}
