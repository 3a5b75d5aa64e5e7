import { logger, tracing } from './telemetry';
import cluster from 'node:cluster';
import {
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
import { compileWasmWithBaselineOnly, createPool } from '@stockstream/prisma';
import { createProductDb } from '@stockstream/prisma/product';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import { loadConfig } from './config';
import { createProductApp } from './http/app';
import { outboxMetrics } from './relay/outbox-metrics';
import { OutboxRelay } from './relay/outbox-relay';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(logger, config.LOG_LEVEL);
  limitHeapGrowth(config.HEAP_GROWTH_PERCENT);
  // Before the first Prisma client compiles its WebAssembly: one compiled copy, not two (see the function).
  compileWasmWithBaselineOnly();
  const sql = createPool(config.PRODUCT_DATABASE_URL, {
    poolSize: config.DB_POOL_SIZE,
    onPoolError: (error) => logger.warn('database connection error', { error: error.message }),
  });
  const db = createProductDb(sql);
  const metrics = createMetricsRegistry('product-api');
  const redis = createRedisClient({
    url: redisConnectionOf(config),
    logger,
    name: 'product-api',
    failFast: true,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  // Redis may be away at start: the API serves anyway and the relay publishes once it connects.
  redis.connect().catch((error: unknown) => logger.warn('redis not reachable at start', { error: errorMessage(error) }));
  const relay: OutboxRelay = new OutboxRelay(
    db,
    sql,
    redis,
    {
      stream: config.PRODUCT_STREAM,
      deadLetterStream: config.DEAD_LETTER_STREAM,
      maxLen: config.STREAM_MAXLEN,
      batchSize: config.OUTBOX_BATCH_SIZE,
      lingerMs: config.OUTBOX_LINGER_MS,
      sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS,
      retentionMs: config.OUTBOX_RETENTION_MS,
      brokerCheckIntervalMs: config.BROKER_CHECK_INTERVAL_MS,
    },
    logger,
    outboxMetrics(metrics, () => relay.backlog()),
  );
  const keys = adminKeysOf(config);
  const inventory = keys.length > 0 ? createInventoryDb(config.INVENTORY_DATABASE_URL, { poolSize: 2 }) : undefined;
  const admin = inventory ? { keys, inventory } : undefined;
  const app = createProductApp({ db, sql, redis, logger, metrics, relay, admin, streams: config });
  const server = await listen(app, config.PRODUCT_API_PORT, config.HOST, requestClassesOf(app));
  relay.start();
  logger.info('product-api listening', {
    pid: process.pid,
    url: `http://${config.HOST}:${server.port}`,
    docs: `http://${config.HOST}:${server.port}/docs`,
  });

  new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS)
    .add('http', () => server.close())
    .add('outbox relay', () => relay.stop())
    .add('database', async () => {
      await Promise.all([db.$disconnect(), inventory?.$disconnect()]);
      await sql.end();
    })
    .add('redis', async () => {
      if (redis.isOpen) await redis.close();
    })
    .add('tracing', () => tracing.shutdown())
    .onSignals();
}

/** With API_PROCESSES > 1 this process forks that many, which share the port, and passes signals on. */
function primary(processes: number): void {
  for (let i = 0; i < processes; i++) cluster.fork();
  let stopping = false;
  // A child that exits when nobody asked it to has failed: the others are stopped, and so is the primary,
  // with a failure of its own, so that a supervisor sees it and restarts the whole.
  let failed = false;
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      logger.error('product-api process exited; stopping the others', { pid: worker.process.pid, code, signal });
      failed = true;
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGTERM');
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
    });
  }
}

const startConfig = loadConfigOrExit();
setLogLevel(logger, startConfig.LOG_LEVEL);
const processes = startConfig.API_PROCESSES;
if (processes > 1 && cluster.isPrimary) primary(processes);
else {
  main().catch((error: unknown) => {
    logger.error('product-api failed to start', { error: errorMessage(error) });
    process.exit(1);
  });
}

function loadConfigOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    logger.error('product-api failed to start', { error: errorMessage(error) });
    process.exit(1);
  }
}
