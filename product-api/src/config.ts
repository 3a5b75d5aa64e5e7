import { z } from 'zod';
import {
  envAdminApiKey,
  envAdminApiKeys,
  envHeapGrowthPercent,
  envLogLevel,
  envPort,
  envPostgresUrl,
  envRedisCommandTimeoutMs,
  envRedisConnection,
  envStreamNames,
  parseConfig,
} from '@stockstream/platform';
import { DATABASES } from '@stockstream/prisma';

export const ProductApiConfig = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PRODUCT_API_PORT: envPort(7001),
  PRODUCT_DATABASE_URL: envPostgresUrl(DATABASES.product.defaultUrl),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  ...envRedisConnection,
  REDIS_COMMAND_TIMEOUT_MS: envRedisCommandTimeoutMs,
  /** DEAD_LETTER_STREAM is the workers': the relay counts what a broker reset loses of it. */
  ...envStreamNames,
  /** The stream's hard cap; it is otherwise trimmed only below what every consumer group is done with. */
  STREAM_MAXLEN: z.coerce.number().int().min(1000).default(1_000_000),
  BROKER_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** Under load, how long the relay waits between passes for fuller ones (OutboxRelay, lingerMs); 0: never. */
  OUTBOX_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(5),
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(1000),
  OUTBOX_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 60 * 60 * 1000),
  /** Enable POST /admin/reconcile (a key sent as X-API-Key; its name is the audit's actor); none: /admin answers 404. */
  ADMIN_API_KEYS: envAdminApiKeys,
  ADMIN_API_KEY: envAdminApiKey,
  /** Read (never written) by reconcile, to compare the inventory records with the products. */
  INVENTORY_DATABASE_URL: envPostgresUrl(DATABASES.inventory.defaultUrl),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  LOG_LEVEL: envLogLevel,
  HEAP_GROWTH_PERCENT: envHeapGrowthPercent,
  /** Processes serving the one port (Node's cluster); each has its relay, and one publishes at a time. */
  API_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
});
export type ProductApiConfig = z.infer<typeof ProductApiConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ProductApiConfig {
  return parseConfig(ProductApiConfig, env);
}
