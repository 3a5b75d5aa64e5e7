import os from 'node:os';
import { z } from 'zod';
import { envPort, envPostgresUrl, envRedisUrl, parseConfig } from '@stockstream/platform';

export const WorkerConfig = z
  .object({
    INVENTORY_DATABASE_URL: envPostgresUrl('postgresql://postgres@127.0.0.1:5432/stockstream_inventory'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
    REDIS_URL: envRedisUrl,
    PRODUCT_STREAM: z.string().min(1).default('products.events'),
    CONSUMER_GROUP: z.string().min(1).default('inventory'),
    DEAD_LETTER_STREAM: z.string().min(1).default('products.events.dlq'),
    /** Unique per worker in the group: host and pid by default. */
    CONSUMER_NAME: z.string().min(1).max(200).default(`${os.hostname()}-${process.pid}`),
    BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
    BLOCK_MS: z.coerce.number().int().min(10).max(4000).default(2000),
    CLAIM_IDLE_MS: z.coerce.number().int().min(10).default(30_000),
    CLAIM_INTERVAL_MS: z.coerce.number().int().min(10).optional(),
    MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(5),
    RETRY_BASE_MS: z.coerce.number().int().min(1).default(1000),
    RETRY_MAX_MS: z.coerce.number().int().min(1).default(20_000),
    INITIAL_STOCK: z.coerce.number().int().min(0).max(2_147_483_647).default(100),
    WORKER_HOST: z.string().min(1).default('127.0.0.1'),
    WORKER_PORT: envPort(9101),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  })
  // A retry must come back before other workers would take the entry as abandoned.
  .refine((config) => config.RETRY_MAX_MS < config.CLAIM_IDLE_MS, { path: ['RETRY_MAX_MS'], message: 'must be below CLAIM_IDLE_MS' })
  .transform((config) => ({
    ...config,
    CLAIM_INTERVAL_MS: config.CLAIM_INTERVAL_MS ?? Math.max(10, Math.floor(config.CLAIM_IDLE_MS / 3)),
  }));
export type WorkerConfig = z.infer<typeof WorkerConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseConfig(WorkerConfig, env);
}
