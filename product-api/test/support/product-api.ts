import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { createLogger, createMetricsRegistry, createRedisClient } from '@stockstream/platform';
import type { Logger, RedisClient, Registry } from '@stockstream/platform';
import { createPool } from '@stockstream/prisma';
import { createProductDb } from '@stockstream/prisma/product';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { SqlPool } from '@stockstream/prisma';
import type { ProductDb } from '@stockstream/prisma/product';
import { createTestDatabase } from '@stockstream/prisma/testing';
import { createProductApp } from '../../src/http/app';
import { outboxMetrics } from '../../src/relay/outbox-metrics';
import { OutboxRelay } from '../../src/relay/outbox-relay';
import type { RelayOptions } from '../../src/relay/relay-options';

import { TEST_REDIS_URL } from '../../../platform/test/support/redis-client';
import { TEST_LOG_LEVEL } from '../../../platform/test/support/log-level';

export { TEST_REDIS_URL };

export interface ProductApiHarness {
  app: Express;
  http: ReturnType<typeof request>;
  db: ProductDb;
  sql: SqlPool;
  databaseUrl: string;
  redis: RedisClient;
  relay: OutboxRelay;
  metrics: Registry;
  logger: Logger;
  stream: string;
  close(): Promise<void>;
}

/** product-api in-process on its own database and its own stream, against the real Postgres and Redis. */
export async function startProductApi(
  options: Partial<RelayOptions> & { redisUrl?: string; poolSize?: number; admin?: { apiKey: string; inventoryUrl: string } } = {},
): Promise<ProductApiHarness> {
  const database = await createTestDatabase('product');
  const logger = createLogger('product-api-test', TEST_LOG_LEVEL);
  const sql = createPool(database.url, { poolSize: options.poolSize ?? 5 });
  const db = createProductDb(sql);
  const redis = createRedisClient({ url: options.redisUrl ?? TEST_REDIS_URL, logger, name: 'product-api-test', failFast: true });
  await redis.connect();
  const stream = options.stream ?? `test-${randomUUID()}`;
  const metrics = createMetricsRegistry('product-api');
  const relay: OutboxRelay = new OutboxRelay(
    db,
    sql,
    redis,
    {
      maxLen: 1_000_000,
      batchSize: 500,
      lingerMs: 5,
      sweepIntervalMs: 200,
      retentionMs: 60_000,
      brokerCheckIntervalMs: 500,
      ...options,
      stream,
    },
    logger,
    outboxMetrics(metrics, () => relay.backlog()),
  );
  const inventory = options.admin ? createInventoryDb(options.admin.inventoryUrl, { poolSize: 2 }) : undefined;
  const admin = options.admin && inventory ? { keys: [{ name: 'admin', key: options.admin.apiKey }], inventory } : undefined;
  const app = createProductApp({ db, sql, redis, logger, metrics, relay, admin });
  relay.start();
  return {
    app,
    http: request(app),
    db,
    sql,
    databaseUrl: database.url,
    logger,
    redis,
    relay,
    metrics,
    stream,
    async close() {
      await relay.stop();
      await db.$disconnect();
      await sql.end();
      await inventory?.$disconnect();
      if (redis.isOpen) {
        await redis.del(stream);
        await redis.close();
      }
      await database.drop();
    },
  };
}

export function validProduct(overrides: Record<string, unknown> = {}) {
  return { sku: `SKU-${randomUUID().slice(0, 8)}`, name: 'Red T-shirt', description: 'Organic cotton', price: '19.99', ...overrides };
}
