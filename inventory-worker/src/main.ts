import { logger, tracing } from './telemetry';
import {
  Shutdown,
  createMetricsRegistry,
  createRedisClient,
  errorMessage,
  limitHeapGrowth,
  redisConnectionOf,
  setLogLevel,
} from '@stockstream/platform';
import { compileWasmWithBaselineOnly } from '@stockstream/prisma';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import { consumerOptionsOf, loadConfig } from './config';
import { StreamConsumer } from './consumer/stream-consumer';
import { startHealthServer } from './health-server';
import { workerMetrics } from './worker-metrics';

const APPLY_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(logger, config.LOG_LEVEL);
  limitHeapGrowth(config.HEAP_GROWTH_PERCENT);
  // Before the first Prisma client compiles its WebAssembly: one compiled copy, not two (see the function).
  compileWasmWithBaselineOnly();
  const db = createInventoryDb(config.INVENTORY_DATABASE_URL, {
    poolSize: config.DB_POOL_SIZE,
    // A batch's apply is one statement (ADR 8): bounded as its transaction was, so that a batch stuck on
    // a lock fails, is split and retried, instead of being kept in hand for ever.
    statementTimeoutMs: APPLY_TIMEOUT_MS,
    onPoolError: (error) => logger.warn('database connection error', { error: error.message }),
  });
  // One connection for both clients (it reads the CA file, if any, once).
  const connection = redisConnectionOf(config);
  // Workers wait out Redis reconnects: commands queue until the connection is back.
  const redis = createRedisClient({
    url: connection,
    logger,
    name: `inventory-worker:${config.CONSUMER_NAME}`,
    failFast: false,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  // Its reads block for up to BLOCK_MS on purpose: a stall is only what goes past that.
  const reader = createRedisClient({
    url: connection,
    logger,
    name: `inventory-worker-reader:${config.CONSUMER_NAME}`,
    failFast: false,
    commandTimeoutMs: config.BLOCK_MS + config.REDIS_COMMAND_TIMEOUT_MS,
  });
  await Promise.all([redis.connect(), reader.connect()]);
  const options = consumerOptionsOf(config);
  const metrics = createMetricsRegistry('inventory-worker');
  const consumer = new StreamConsumer({ db, redis, reader, logger, options, observer: workerMetrics(metrics, redis, options) });
  await consumer.start();
  const health = await startHealthServer(
    {
      db,
      redis,
      consumer,
      routes: { '/metrics': async () => ({ status: 200, contentType: metrics.contentType, body: await metrics.metrics() }) },
    },
    config.WORKER_PORT,
    config.WORKER_HOST,
  );
  logger.info('inventory-worker running', {
    consumer: config.CONSUMER_NAME,
    health: `http://${config.WORKER_HOST}:${health.port}/health/ready`,
  });

  new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS)
    .add('consumer', () => consumer.stop())
    .add('health server', () => health.close())
    .add('database', () => db.$disconnect())
    .add('redis', async () => {
      await Promise.all([redis.close(), reader.close()]);
    })
    .add('tracing', () => tracing.shutdown())
    .onSignals();
}

main().catch((error: unknown) => {
  logger.error('inventory-worker failed to start', { error: errorMessage(error) });
  process.exit(1);
});
