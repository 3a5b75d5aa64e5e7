import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS, createLogger, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { consumerOptionsOf, loadConfig } from '../../src/config';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { StreamConsumer } from '../../src/consumer/stream-consumer';
import type { ConsumerObserver, ConsumerOptions, Outcome } from '../../src/consumer/consumer-options';
import type { DeadLetterWriter } from '../../src/consumer/dead-letters';
import { freePort } from '@stockstream/platform';
import { waitFor } from '../../../platform/test/support/wait';

import { TEST_REDIS_URL } from '../../../platform/test/support/redis-client';
import { TEST_LOG_LEVEL } from '../../../platform/test/support/log-level';

export { TEST_REDIS_URL };

/** Names of a test's own stream, group and dead-letter stream. */
export function testStreams() {
  const stream = `test-${randomUUID()}`;
  return { stream, group: 'inventory', deadLetterStream: `${stream}.dlq` };
}

/**
 * The options a worker process would run with: the config schema's shipped defaults (its cross-field
 * checks included), with the test's own streams and consumer name, smaller batches and a shorter block
 * for quick tests. `overrides` are a test's deliberate departures (a rule isolated with thresholds the
 * config would refuse in production, say): each test file names its own.
 */
export function consumerOptions(streams: ReturnType<typeof testStreams>, overrides: Partial<ConsumerOptions> = {}): ConsumerOptions {
  const config = loadConfig({
    PRODUCT_STREAM: streams.stream,
    CONSUMER_GROUP: streams.group,
    DEAD_LETTER_STREAM: streams.deadLetterStream,
    CONSUMER_NAME: `test-worker-${randomUUID().slice(0, 8)}`,
    BATCH_SIZE: '50',
    BLOCK_MS: '100',
  });
  return { ...consumerOptionsOf(config), ...overrides };
}

/** Counts what the consumer reports, for assertions. */
export class Outcomes implements ConsumerObserver {
  readonly counts = new Map<string, number>();
  handled(type: string, outcome: Outcome): void {
    const key = `${type}:${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  batch(): void {}
  read(): void {}
  loopErrors = 0;
  loopError(): void {
    this.loopErrors++;
  }
  killSwitchTrips = 0;
  killSwitchTripped(): void {
    this.killSwitchTrips++;
  }
  pausedLooks = 0;
  paused(paused: boolean): void {
    if (paused) this.pausedLooks++;
  }
  claimRounds = 0;
  claimRound(): void {
    this.claimRounds++;
  }
  readonly brokerResets: string[] = [];
  brokerReset(reason: string): void {
    this.brokerResets.push(reason);
  }
  count(type: string, outcome: Outcome): number {
    return this.counts.get(`${type}:${outcome}`) ?? 0;
  }
}

export interface InProcessWorker {
  consumer: StreamConsumer;
  outcomes: Outcomes;
  db: InventoryDb;
  redis: RedisClient;
  /**
   * Stops the consumer (it finishes the batch in hand), then deletes `keys` (the test's streams): in that
   * order, since a running consumer remakes its stream (XGROUP CREATE … MKSTREAM).
   */
  stop(keys?: string[]): Promise<void>;
}

/** A consumer in this process, with its own connections, as one worker process would have them. */
export async function startWorker(
  options: ConsumerOptions,
  urls: { databaseUrl: string; redisUrl?: string },
  writeDeadLetter?: DeadLetterWriter,
): Promise<InProcessWorker> {
  const logger = createLogger('inventory-worker-test', TEST_LOG_LEVEL);
  const db = createInventoryDb(urls.databaseUrl, { poolSize: 5 });
  const redis = createRedisClient({ url: urls.redisUrl ?? TEST_REDIS_URL, logger, name: 'worker-test', failFast: false });
  const reader = createRedisClient({
    url: urls.redisUrl ?? TEST_REDIS_URL,
    logger,
    name: 'worker-test-reader',
    failFast: false,
    commandTimeoutMs: options.blockMs + DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  });
  await Promise.all([redis.connect(), reader.connect()]);
  const outcomes = new Outcomes();
  const consumer = new StreamConsumer({ db, redis, reader, logger, options, observer: outcomes, writeDeadLetter });
  await consumer.start();
  return {
    consumer,
    outcomes,
    db,
    redis,
    async stop(keys = []) {
      await consumer.stop();
      if (keys.length > 0) await redis.del(keys);
      await db.$disconnect();
      await Promise.all([redis.close(), reader.close()]);
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  port: number;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

/** The real worker (the built inventory-worker/dist/main.js) as a child process, its JSON log lines collected. */
export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'main.js')], {
    env: { ...process.env, LOG_LEVEL: 'info', WORKER_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) readline.createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const worker: WorkerProcess = {
    child,
    lines,
    port,
    exited,
    waitForLine: (pattern, timeoutMs = 20_000) =>
      waitFor(`a worker log line matching ${pattern}`, () => lines.find((line) => pattern.test(line)), timeoutMs),
  };
  await worker.waitForLine(/inventory-worker running|failed to start/);
  return worker;
}
