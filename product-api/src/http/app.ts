import type { Express } from 'express';
import { DEFAULT_STREAM_NAMES } from '@stockstream/platform';
import type { Logger, RedisClient, Registry } from '@stockstream/platform';
import { OutageMonitor, createBaseApp, finishApp } from '@stockstream/platform/http';
import type { AdminKey } from '@stockstream/platform';
import type { SqlPool } from '@stockstream/prisma';
import type { ProductDb } from '@stockstream/prisma/product';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { reconcileMetrics } from '../reconcile/reconcile-metrics';
import { adminRoutes } from './admin-routes';
import { ProductRepository } from '../data/product-repository';
import { productAsyncApi } from './asyncapi';
import { productOpenApi } from './openapi';
import { productProblem } from './product-problems';
import { productsRoutes } from './products-routes';
import { healthRoutes } from './health-routes';
import type { OutboxRelay } from '../relay/outbox-relay';

export interface ProductAppDeps {
  db: ProductDb;
  /** The pool `db` shares, for the hot paths. */
  sql: SqlPool;
  redis: RedisClient;
  logger: Logger;
  /** Kicked after each committed change, so that it publishes at once; its backlog and broker state are reported. */
  relay: Pick<OutboxRelay, 'kick' | 'backlog' | 'broker'>;
  metrics: Registry;
  /** POST /admin/reconcile is served only with it: without admin keys configured /admin does not exist (404). */
  admin?: { keys: readonly AdminKey[]; inventory: InventoryDb };
  /** The stream, its dead-letter stream and the group, as /asyncapi.json names them (the shipped names by default). */
  streams?: { PRODUCT_STREAM: string; DEAD_LETTER_STREAM: string; CONSUMER_GROUP: string };
}

export function createProductApp({
  db,
  sql,
  redis,
  logger,
  relay,
  metrics,
  admin,
  streams = DEFAULT_STREAM_NAMES,
}: ProductAppDeps): Express {
  const base = { logger, metrics, openApiDocument: productOpenApi({ admin: admin !== undefined }) };
  const app = createBaseApp(base);
  const asyncApi = productAsyncApi({
    stream: streams.PRODUCT_STREAM,
    deadLetterStream: streams.DEAD_LETTER_STREAM,
    group: streams.CONSUMER_GROUP,
  });
  app.get('/asyncapi.json', (_req, res) => {
    res.json(asyncApi);
  });
  reconcileMetrics(metrics, db);
  app.use(
    '/api/products',
    productsRoutes(new ProductRepository(db, sql), () => relay.kick()),
  );
  app.use('/health', healthRoutes(sql, redis, relay));
  if (admin) app.use('/admin', adminRoutes({ products: db, productsPool: sql, inventory: admin.inventory }, admin.keys));
  // Requests only need the database: Redis is the relay's, and its outage only grows the outbox.
  const outages = new OutageMonitor(logger, { database: () => sql.query('SELECT 1') });
  return finishApp(app, base, { mapDomainError: productProblem, outages });
}
