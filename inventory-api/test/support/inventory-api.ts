import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { createLogger, createMetricsRegistry, listen } from '@stockstream/platform';
import type { RedisClient, RunningServer } from '@stockstream/platform';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { AdminKey, Logger } from '@stockstream/platform';
import { inventoryAdmin } from '../../src/admin/inventory-admin';
import type { InventoryAdmin } from '../../src/admin/inventory-admin';
import type { CauseJobOptions } from '../../src/admin/cause-jobs';
import type { SignInThrottle } from '../../src/http/admin-page/sign-in-throttle';
import { createInventoryApp } from '../../src/http/app';
import { loadConfig } from '../../src/config';
import { TEST_LOG_LEVEL } from '../../../platform/test/support/log-level';

/** The dead-letter page's settings as shipped. */
const shipped = loadConfig({});
const PAGE = { group: shipped.CONSUMER_GROUP, refreshSeconds: shipped.ADMIN_PAGE_REFRESH_SECONDS };

export interface InventoryApiHarness {
  app: Express;
  http: ReturnType<typeof request>;
  db: InventoryDb;
  databaseUrl: string;
  server: RunningServer;
  /** The admin parts, when started with admin. */
  admin: InventoryAdmin | undefined;
  close(): Promise<void>;
}

export interface AdminOptions {
  redis: RedisClient;
  /** The key of the actor "admin". */
  apiKey: string;
  /** More keys, as ADMIN_API_KEYS gives them. */
  moreKeys?: AdminKey[];
  deadLetterStream: string;
  productStream: string;
  secureCookie?: boolean;
  traceUiUrl?: string;
  jobs?: CauseJobOptions;
  signInThrottle?: SignInThrottle;
  logger?: Logger;
}

/** inventory-api on its own database, listening on a free port (concurrency tests need one real server). */
export async function startInventoryApi(admin?: AdminOptions): Promise<InventoryApiHarness> {
  const database = await createTestDatabase('inventory');
  const db = createInventoryDb(database.url, { poolSize: 10 });
  const logger = admin?.logger ?? createLogger('inventory-api-test', TEST_LOG_LEVEL);
  const adminParts = admin
    ? inventoryAdmin(
        { db, redis: admin.redis, logger },
        {
          keys: [{ name: 'admin', key: admin.apiKey }, ...(admin.moreKeys ?? [])],
          deadLetterStream: admin.deadLetterStream,
          productStream: admin.productStream,
          secureCookie: admin.secureCookie ?? false,
          traceUiUrl: admin.traceUiUrl,
          ...(admin.jobs ? { jobs: admin.jobs } : {}),
          ...PAGE,
        },
      )
    : undefined;
  const app = createInventoryApp({
    db,
    logger,
    metrics: createMetricsRegistry('inventory-api'),
    ...(admin && adminParts
      ? { redis: admin.redis, admin: adminParts, ...(admin.signInThrottle ? { signInThrottle: admin.signInThrottle } : {}) }
      : {}),
  });
  const server = await listen(app, 0);
  return {
    app,
    http: request(`http://127.0.0.1:${server.port}`),
    db,
    databaseUrl: database.url,
    server,
    admin: adminParts,
    async close() {
      await adminParts?.jobs.stop();
      await server.close();
      await db.$disconnect();
      await database.drop();
    },
  };
}

export function newRecord(overrides: Record<string, unknown> = {}) {
  return { productId: randomUUID(), sku: `SKU-${randomUUID().slice(0, 8)}`, name: 'Blue mug', quantity: 100, ...overrides };
}

export async function createRecord(api: InventoryApiHarness, overrides: Record<string, unknown> = {}) {
  return (await api.http.post('/api/inventory').send(newRecord(overrides)).expect(201)).body as {
    productId: string;
    quantity: number;
    reserved: number;
    available: number;
    version: number;
  };
}
