import { setTimeout as sleep } from 'node:timers/promises';
import { parseStreamFields } from '@stockstream/contracts';
import type { ProductEvent } from '@stockstream/contracts';
import type { DeadLetterReason } from '@stockstream/contracts';
import type { Logger, RedisClient } from '@stockstream/platform';
import { errorMessage, runWithContext } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma';
import { applyEvent, applyEvents } from './apply-event';
import type { Applied, Delivered } from './apply-event';
import { databaseAnswers, waitForDatabase } from './database-outage';
import { deadLetter } from '@stockstream/inventory-api';
import type { StreamEntry } from './stream-entry';
import { toEntries } from './stream-entry';

export interface ConsumerOptions {
  stream: string;
  group: string;
  deadLetterStream: string;
  consumer: string;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  claimIntervalMs: number;
  maxDeliveries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  initialStock: number;
}

export type Outcome = 'processed' | 'duplicate' | 'retried' | 'dead-lettered' | 'held';

/** What the consumer reports as it goes, for metrics. */
export interface ConsumerObserver {
  handled(type: string, outcome: Outcome): void;
  batch(durationMs: number): void;
}

export interface ConsumerDeps {
  db: InventoryDb;
  /** For XACK, XCLAIM, XAUTOCLAIM, XPENDING and the dead-letter stream. */
  redis: RedisClient;
  /** Its own connection, since XREADGROUP BLOCK holds the connection it runs on. */
  reader: RedisClient;
  logger: Logger;
  options: ConsumerOptions;
  observer?: ConsumerObserver;
}

const isEntry = (entry: StreamEntry | null): entry is StreamEntry => entry !== null;

/** What every log line about an event carries: the event, its stream entry, and the request that caused it. */
const eventContext = (event: ProductEvent, streamId: string) => ({
  eventId: event.id,
  streamId,
  correlationId: event.correlationId,
  requestId: event.correlationId,
});

/**
 * One consumer of the product stream in its consumer group. At least once in, exactly once in effect:
 * entries are acknowledged only after their transaction committed, a failing entry is retried with
 * backoff (its delivery count is the stream's) and dead-lettered after maxDeliveries, an invalid entry is
 * dead-lettered at once, entries idle too long at any consumer are claimed, and while the database is
 * down entries are held pending, their retries not spent.
 */
export class StreamConsumer {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private claimTimer: NodeJS.Timeout | undefined;
  private claiming = false;
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly work = new Set<Promise<unknown>>();
  private databaseDown = false;

  constructor(private readonly deps: ConsumerDeps) {}

  get running(): boolean {
    return this.loop !== undefined && !this.stopping;
  }

  get waitingForDatabase(): boolean {
    return this.databaseDown;
  }

  async start(): Promise<void> {
    await this.ensureGroup();
    // The first transaction of a process is slow (connections, statement preparation); pay for it
    // before the first event instead of during it. Read-only, so that it waits on no table lock.
    await this.deps.db.$transaction((tx) => tx.$queryRaw`SELECT count(*) FROM processed_events WHERE event_id = ANY(${[]}::uuid[])`);
    this.loop = this.run();
    this.claimTimer = setInterval(() => this.track(this.claimAbandoned()), this.deps.options.claimIntervalMs);
    this.deps.logger.info('consumer started', {
      stream: this.deps.options.stream,
      group: this.deps.options.group,
      consumer: this.deps.options.consumer,
    });
  }

  /** Stops reading, finishes and acknowledges the batch in hand; what is left stays pending for the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.claimTimer);
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    await this.loop;
    await Promise.allSettled([...this.work]);
  }

  private track(promise: Promise<unknown>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise));
  }

  private async ensureGroup(): Promise<void> {
    const { stream, group } = this.deps.options;
    try {
      await this.deps.redis.xGroupCreate(stream, group, '0', { MKSTREAM: true });
    } catch (error) {
      if (!errorMessage(error).includes('BUSYGROUP')) throw error;
    }
  }

  private async run(): Promise<void> {
    // First what this consumer name was given before and never acknowledged (a restart).
    let after = '0';
    while (!this.stopping) {
      const own = await this.read(after);
      if (own.length === 0) break;
      await this.handleBatch(own);
      after = own.at(-1)?.id ?? after;
    }
    while (!this.stopping) {
      const entries = await this.read('>');
      if (entries.length > 0) await this.handleBatch(entries);
    }
  }

  private async read(id: string): Promise<StreamEntry[]> {
    const { stream, group, consumer, batchSize, blockMs } = this.deps.options;
    try {
      const reply = (await this.deps.reader.xReadGroup(
        group,
        consumer,
        { key: stream, id },
        { COUNT: batchSize, ...(id === '>' ? { BLOCK: blockMs } : {}) },
      )) as { messages?: unknown[] }[] | null;
      return toEntries(reply?.[0]?.messages).filter(isEntry);
    } catch (error) {
      if (errorMessage(error).includes('NOGROUP')) {
        this.deps.logger.warn('consumer group is gone (Redis restarted empty?); creating it again');
        await this.ensureGroup().catch(() => undefined);
      } else {
        this.deps.logger.warn('cannot read the stream; retrying', { error: errorMessage(error) });
        await sleep(500);
      }
      return [];
    }
  }

  private async handleBatch(entries: StreamEntry[]): Promise<void> {
    const started = performance.now();
    const done: string[] = [];
    const valid: Delivered[] = [];
    for (const entry of entries) {
      const parsed = parseStreamFields(entry.fields);
      if (parsed.ok) valid.push({ event: parsed.event, streamId: entry.id, fields: entry.fields });
      else
        await runWithContext({ eventId: parsed.eventId, streamId: entry.id }, () =>
          this.deadLetterEntry(entry, parsed.type ?? 'unknown', 'invalid', parsed.error),
        );
    }
    if (valid.length > 1 && (await this.applyTogether(valid))) {
      done.push(...valid.map((item) => item.streamId));
    } else {
      for (const item of valid) {
        const outcome = await this.handleEvent(item);
        if (outcome === 'processed' || outcome === 'duplicate') done.push(item.streamId);
      }
    }
    if (done.length > 0) await this.acknowledge(done);
    this.deps.observer?.batch(performance.now() - started);
  }

  /** The whole batch in one transaction; false when it failed, and then each event goes alone. */
  private async applyTogether(batch: Delivered[]): Promise<boolean> {
    let outcomes: Applied[];
    try {
      outcomes = await applyEvents(this.deps.db, batch, { initialStock: this.deps.options.initialStock });
    } catch (error) {
      this.deps.logger.debug('batch failed; applying its events one by one', { size: batch.length, error: errorMessage(error) });
      return false;
    }
    batch.forEach((item, index) => this.reportHandled(item, outcomes[index] ?? 'processed'));
    return true;
  }

  private reportHandled({ event, streamId }: Delivered, outcome: Applied): void {
    runWithContext(eventContext(event, streamId), () => {
      this.deps.logger.info('event handled', { type: event.type, outcome, productId: event.data.productId });
    });
    this.deps.observer?.handled(event.type, outcome);
  }

  /** XACK after commit. The client queues it through a Redis reconnect; a redelivery meanwhile is a duplicate. */
  private async acknowledge(ids: string[]): Promise<void> {
    const { stream, group } = this.deps.options;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.redis.xAck(stream, group, ids);
        return;
      } catch (error) {
        if (this.stopping || attempt >= 20) {
          this.deps.logger.warn('could not acknowledge; the entries will be delivered again and skipped as duplicates', {
            count: ids.length,
            error: errorMessage(error),
          });
          return;
        }
        await sleep(Math.min(100 * attempt, 1_000));
      }
    }
  }

  private async handleEvent(delivered: Delivered): Promise<Outcome> {
    const { event, streamId } = delivered;
    return runWithContext(eventContext(event, streamId), async () => {
      for (;;) {
        try {
          const applied = await applyEvent(this.deps.db, delivered, { initialStock: this.deps.options.initialStock });
          this.reportHandled(delivered, applied);
          return applied;
        } catch (error) {
          if (await databaseAnswers(this.deps.db)) return this.failed({ id: streamId, fields: delivered.fields }, event.type, error);
          if (!(await this.waitOutOutage())) {
            this.deps.observer?.handled(event.type, 'held');
            return 'held';
          }
        }
      }
    });
  }

  private async waitOutOutage(): Promise<boolean> {
    if (!this.databaseDown) this.deps.logger.error('database unreachable; holding entries pending until it answers');
    this.databaseDown = true;
    const back = await waitForDatabase(
      this.deps.db,
      () => this.stopping,
      () => undefined,
    );
    if (back && this.databaseDown) this.deps.logger.info('database answers again; resuming');
    if (back) this.databaseDown = false;
    return back;
  }

  private async deliveries(id: string): Promise<number> {
    const { stream, group } = this.deps.options;
    const [pending] = await this.deps.redis.xPendingRange(stream, group, id, id, 1);
    return Number(pending?.deliveriesCounter ?? 1);
  }

  private async failed(entry: StreamEntry, type: string, error: unknown): Promise<Outcome> {
    const { maxDeliveries, retryBaseMs, retryMaxMs } = this.deps.options;
    const deliveries = await this.deliveries(entry.id);
    if (deliveries >= maxDeliveries) return this.deadLetterEntry(entry, type, 'max-deliveries', errorMessage(error), deliveries);
    const delayMs = Math.min(retryBaseMs * 2 ** (deliveries - 1), retryMaxMs);
    this.deps.logger.warn('event failed; will retry', { type, deliveries, retryInMs: delayMs, error: errorMessage(error) });
    this.deps.observer?.handled(type, 'retried');
    if (!this.stopping) {
      const timer = setTimeout(() => {
        this.retryTimers.delete(entry.id);
        this.track(this.retry(entry.id));
      }, delayMs);
      this.retryTimers.set(entry.id, timer);
    }
    return 'retried';
  }

  /** XCLAIM by this same consumer is the redelivery: it counts one more delivery. */
  private async retry(id: string): Promise<void> {
    if (this.stopping) return;
    const { stream, group, consumer } = this.deps.options;
    try {
      const claimed = toEntries(await this.deps.redis.xClaim(stream, group, consumer, 0, id)).filter(isEntry);
      if (claimed.length > 0) await this.handleBatch(claimed);
    } catch (error) {
      this.deps.logger.warn('retry failed; the entry stays pending for the group', { streamId: id, error: errorMessage(error) });
    }
  }

  private async deadLetterEntry(
    entry: StreamEntry,
    type: string,
    reason: DeadLetterReason,
    error: string,
    deliveries?: number,
  ): Promise<Outcome> {
    const count = deliveries ?? (await this.deliveries(entry.id));
    const deadLetterId = await deadLetter(this.deps.redis, this.deps.options, entry, { reason, error, deliveries: count });
    this.deps.logger.error('event dead-lettered', { type, reason, deliveries: count, error, deadLetterId });
    this.deps.observer?.handled(type, 'dead-lettered');
    return 'dead-lettered';
  }

  /** Entries idle past claimIdleMs at any consumer (one that crashed, say) are taken over and handled here. */
  private async claimAbandoned(): Promise<void> {
    if (this.stopping || this.databaseDown || this.claiming) return;
    this.claiming = true;
    const { stream, group, consumer, claimIdleMs, batchSize } = this.deps.options;
    try {
      let start = '0-0';
      do {
        const reply = await this.deps.redis.xAutoClaim(stream, group, consumer, claimIdleMs, start, { COUNT: batchSize });
        const entries = toEntries(reply.messages)
          .filter(isEntry)
          .filter((entry) => !this.retryTimers.has(entry.id));
        if (entries.length > 0) {
          this.deps.logger.info('claimed idle entries', { count: entries.length });
          await this.handleBatch(entries);
        }
        start = String(reply.nextId);
      } while (start !== '0-0' && !this.stopping);
    } catch (error) {
      this.deps.logger.warn('could not claim idle entries', { error: errorMessage(error) });
    } finally {
      this.claiming = false;
    }
  }
}
