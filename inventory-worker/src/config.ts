import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import type { ConsumerOptions } from './consumer/consumer-options';
import {
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

const DAY_MS = 86_400_000;
const ms = (defaultValue: number, min = 10) => z.coerce.number().int().min(min).default(defaultValue);

export const WorkerConfig = z
  .object({
    INVENTORY_DATABASE_URL: envPostgresUrl(DATABASES.inventory.defaultUrl),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
    ...envRedisConnection,
    REDIS_COMMAND_TIMEOUT_MS: envRedisCommandTimeoutMs,
    ...envStreamNames,
    /** Unique per process (host, pid and a random part), so that a restart never inherits a name. */
    CONSUMER_NAME: z
      .string()
      .min(1)
      .max(200)
      .default(`${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`),
    BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
    BATCHES_IN_FLIGHT: z.coerce.number().int().min(1).max(8).default(2),
    BLOCK_MS: z.coerce.number().int().min(10).max(4000).default(2000),
    CLAIM_IDLE_MS: ms(10_000),
    CLAIM_INTERVAL_MS: ms(2_000),
    MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(5),
    INITIAL_STOCK: z.coerce.number().int().min(0).max(2_147_483_647).default(100),
    CONSUMER_IDLE_MS: ms(3_600_000),
    READ_STALL_MS: ms(30_000),
    PROCESSED_EVENTS_RETENTION_MS: ms(7 * DAY_MS, 1_000),
    TOMBSTONE_RETENTION_MS: ms(30 * DAY_MS, 1_000),
    PRUNE_INTERVAL_MS: ms(60_000),
    /** The workers pause consumption by themselves above this share of failed applies (1: never)… */
    KILL_SWITCH_FAILURE_RATIO: z.coerce.number().min(0).max(1).default(0.5),
    /** …of at least this many applies… */
    KILL_SWITCH_MIN_EVENTS: z.coerce.number().int().min(1).default(50),
    /** …within this window. */
    KILL_SWITCH_WINDOW_MS: ms(60_000, 1_000),
    WORKER_HOST: z.string().min(1).default('127.0.0.1'),
    WORKER_PORT: envPort(9101),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    LOG_LEVEL: envLogLevel,
    HEAP_GROWTH_PERCENT: envHeapGrowthPercent,
  })
  // Claims must look more often than entries go stale, or a dead worker's entries wait a whole extra round.
  .refine((c) => c.CLAIM_INTERVAL_MS < c.CLAIM_IDLE_MS, { path: ['CLAIM_INTERVAL_MS'], message: 'must be below CLAIM_IDLE_MS' })
  // Retries come from claims, one per CLAIM_IDLE_MS: with one delivery there is no retry at all, and an
  // entry taken over from a crashed worker (its second delivery) would be dead-lettered on its first failure.
  .refine((c) => c.MAX_DELIVERIES >= 2, {
    path: ['MAX_DELIVERIES'],
    message: 'must be at least 2: the retry budget (MAX_DELIVERIES - 1) × CLAIM_IDLE_MS would end before the first claim',
  })
  // A live worker reads every BLOCK_MS; a consumer idle for less could be one of them.
  .refine((c) => c.CONSUMER_IDLE_MS > Math.max(c.CLAIM_IDLE_MS, c.BLOCK_MS * 10), {
    path: ['CONSUMER_IDLE_MS'],
    message: 'must be above CLAIM_IDLE_MS and 10 × BLOCK_MS, or live consumers could be removed',
  })
  // Each batch in flight holds a connection while it is applied; claims and pruning need one too.
  .refine((c) => c.DB_POOL_SIZE > c.BATCHES_IN_FLIGHT, {
    path: ['DB_POOL_SIZE'],
    message: 'must be above BATCHES_IN_FLIGHT: each batch in flight holds a connection, and the loop needs one more',
  })
  .refine((c) => c.READ_STALL_MS > c.BLOCK_MS + c.CLAIM_INTERVAL_MS, {
    path: ['READ_STALL_MS'],
    message: 'must be above BLOCK_MS + CLAIM_INTERVAL_MS, the longest a healthy loop goes between reads',
  })
  // Tombstones must outlive every copy of a product's events (retries, replays of dead letters), or a
  // late create could bring a deleted product's record back.
  .refine((c) => c.TOMBSTONE_RETENTION_MS >= c.PROCESSED_EVENTS_RETENTION_MS, {
    path: ['TOMBSTONE_RETENTION_MS'],
    message: 'must be at least PROCESSED_EVENTS_RETENTION_MS',
  });
export type WorkerConfig = z.infer<typeof WorkerConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseConfig(WorkerConfig, env);
}

/** What the consumer runs with, from the config: main.ts and the tests' workers alike. */
export function consumerOptionsOf(config: WorkerConfig): ConsumerOptions {
  return {
    stream: config.PRODUCT_STREAM,
    group: config.CONSUMER_GROUP,
    deadLetterStream: config.DEAD_LETTER_STREAM,
    consumer: config.CONSUMER_NAME,
    batchSize: config.BATCH_SIZE,
    batchesInFlight: config.BATCHES_IN_FLIGHT,
    blockMs: config.BLOCK_MS,
    claimIdleMs: config.CLAIM_IDLE_MS,
    claimIntervalMs: config.CLAIM_INTERVAL_MS,
    maxDeliveries: config.MAX_DELIVERIES,
    initialStock: config.INITIAL_STOCK,
    consumerIdleMs: config.CONSUMER_IDLE_MS,
    readStallMs: config.READ_STALL_MS,
    processedEventsRetentionMs: config.PROCESSED_EVENTS_RETENTION_MS,
    tombstoneRetentionMs: config.TOMBSTONE_RETENTION_MS,
    pruneIntervalMs: config.PRUNE_INTERVAL_MS,
    killSwitch: {
      failureRatio: config.KILL_SWITCH_FAILURE_RATIO,
      minEvents: config.KILL_SWITCH_MIN_EVENTS,
      windowMs: config.KILL_SWITCH_WINDOW_MS,
    },
  };
}
