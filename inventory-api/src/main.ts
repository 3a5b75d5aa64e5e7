import { logger, tracing } from './telemetry';
import {
  RecurringFailure,
  adminKeysOf,
  redisConnectionOf,
  Shutdown,
  createMetricsRegistry,
  createRedisClient,
  errorMessage,
  limitHeapGrowth,
  listen,
  setLogLevel,
} from '@stockstream/platform';
import { requestClassesOf } from '@stockstream/platform/http';
import { compileWasmWithBaselineOnly } from '@stockstream/prisma';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import { loadConfig } from './config';
import { inventoryAdmin } from './admin/inventory-admin';
import { createInventoryApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(logger, config.LOG_LEVEL);
  limitHeapGrowth(config.HEAP_GROWTH_PERCENT);
  // Before the first Prisma client compiles its WebAssembly: one compiled copy, not two (see the function).
  compileWasmWithBaselineOnly();
  const db = createInventoryDb(config.INVENTORY_DATABASE_URL, {
    poolSize: config.DB_POOL_SIZE,
    onPoolError: (error) => logger.warn('database connection error', { error: error.message }),
  });
  const redis = createRedisClient({
    url: redisConnectionOf(config),
    logger,
    name: 'inventory-api',
    failFast: true,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  redis.connect().catch((error: unknown) => logger.warn('redis not reachable at start', { error: errorMessage(error) }));
  const keys = adminKeysOf(config);
  const admin =
    keys.length > 0
      ? inventoryAdmin(
          { db, redis, logger },
          {
            keys,
            deadLetterStream: config.DEAD_LETTER_STREAM,
            productStream: config.PRODUCT_STREAM,
            group: config.CONSUMER_GROUP,
            refreshSeconds: config.ADMIN_PAGE_REFRESH_SECONDS,
            secureCookie: config.ADMIN_COOKIE_SECURE,
            traceUiUrl: config.TRACE_UI_URL,
          },
        )
      : undefined;
  admin?.jobs.startResuming();
  const app = createInventoryApp({ db, logger, redis, admin, metrics: createMetricsRegistry('inventory-api') });
  const server = await listen(app, config.INVENTORY_API_PORT, config.HOST, requestClassesOf(app));
  // Stored answers of Idempotency-Keys are kept for a retention, then forgotten.
  const sweeps = new RecurringFailure(logger, 'could not delete old idempotency keys; will retry', 'deleting old idempotency keys again');
  const sweep = setInterval(() => {
    void sweeps.attempt(() =>
      db.idempotentRequest.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - config.IDEMPOTENCY_RETENTION_MS) } } }),
    );
  }, 60_000);
  sweep.unref();
  logger.info('inventory-api listening', {
    url: `http://${config.HOST}:${server.port}`,
    docs: `http://${config.HOST}:${server.port}/docs`,
    admin: admin ? `enabled for ${keys.map((key) => key.name).join(', ')}` : 'disabled (set ADMIN_API_KEYS or ADMIN_API_KEY)',
  });

  new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS)
    .add('http', () => server.close())
    .add('dead-letter jobs', async () => admin?.jobs.stop())
    .add('sweep', () => clearInterval(sweep))
    .add('database', () => db.$disconnect())
    .add('redis', async () => {
      if (redis.isOpen) await redis.close();
    })
    .add('tracing', () => tracing.shutdown())
    .onSignals();
}

main().catch((error: unknown) => {
  logger.error('inventory-api failed to start', { error: errorMessage(error) });
  process.exit(1);
});
