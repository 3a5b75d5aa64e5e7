import type { ProductEvent } from '@stockstream/contracts';
import { toStreamFields } from '@stockstream/contracts';
import type { Logger, RedisClient } from '@stockstream/platform';
import { errorMessage, runOutsideContext } from '@stockstream/platform';
import type { ProductDb } from '@stockstream/prisma';
import { epochKey } from './broker-epoch';
import { BrokerWatch } from './broker-watch';
import type { RelayObserver } from './outbox-metrics';
import { trimFailed, trimSafely } from './stream-trimmer';

export interface RelayOptions {
  stream: string;
  /** The hard cap of the stream: only reached when consumers lag that far (see trimSafely). */
  maxLen: number;
  batchSize: number;
  sweepIntervalMs: number;
  retentionMs: number;
  /** How often the stream is checked for lost data and trimmed below what every group is done with. */
  brokerCheckIntervalMs: number;
}

/** One row per claimed event; a single row with nulls when there is none, or when another relay holds the lock. */
interface ClaimedRow {
  locked: boolean;
  position: bigint | null;
  envelope: ProductEvent | null;
  created_at: Date | null;
}

/** One relay publishes at a time across all replicas, so events of one product reach the stream in commit order. */
const RELAY_LOCK_KEY = 7_212_001;
const BUSY_RETRY_MS = 50;

/**
 * Publishes outbox rows to the stream: right after each commit (kick), and on an interval for what a
 * crash or a Redis outage left behind. A row is marked published in the transaction that read it, so a
 * failure before the commit publishes it again later: at least once, and consumers drop duplicates by
 * event id. When Redis loses the stream, the broker watch has every retained row published again.
 */
export class OutboxRelay {
  readonly broker: BrokerWatch;
  private timer: NodeJS.Timeout | undefined;
  private brokerTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly db: ProductDb,
    private readonly redis: RedisClient,
    private readonly options: RelayOptions,
    private readonly logger: Logger,
    private readonly observer?: RelayObserver,
  ) {
    this.broker = new BrokerWatch(db, redis, options.stream, RELAY_LOCK_KEY, logger, observer, () => this.kick());
  }

  start(): void {
    this.timer = setInterval(() => {
      this.kick();
      void this.deletePublished();
    }, this.options.sweepIntervalMs);
    this.timer.unref();
    this.brokerTimer = setInterval(() => void runOutsideContext(() => this.watchBroker()), this.options.brokerCheckIntervalMs);
    this.brokerTimer.unref();
    // A Redis that comes back may have come back empty.
    this.redis.on('ready', this.checkBroker);
    this.kick();
    this.checkBroker();
  }

  /** Looks for lost data now, outside whatever request or pass asked for it. */
  private readonly checkBroker = () => void runOutsideContext(() => this.broker.check());

  private async watchBroker(): Promise<void> {
    await this.broker.check();
    if (!this.redis.isReady) return;
    await trimSafely(this.redis, this.options.stream, this.options.maxLen, this.logger).then(
      ({ droppedUnread }) => this.observer?.droppedUnread(droppedUnread),
      (error: unknown) => trimFailed(this.logger, error),
    );
  }

  /** Publish soon; calls while a drain runs coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    // Outside the context of the request that kicked it: relay log lines are no request's.
    this.draining = runOutsideContext(() => this.drain()).finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Stops the interval and waits for the pass in hand, with one last pass to flush what is committed. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.brokerTimer);
    this.redis.off('ready', this.checkBroker);
    await this.draining;
    if (this.redis.isReady) await this.drain();
    this.stopped = true;
  }

  async backlog(): Promise<number> {
    return this.db.outboxEvent.count({ where: { publishedAt: null } });
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const published = await this.publishBatch();
        if (published === 'busy') {
          this.logger.debug('outbox relay busy elsewhere; retrying shortly');
          setTimeout(() => this.kick(), BUSY_RETRY_MS).unref();
          return;
        }
        if (this.failing) this.logger.info('outbox relay publishing again');
        this.failing = false;
        if (published < this.options.batchSize) {
          this.broker.drained();
          return;
        }
      }
    } catch (error) {
      if (!this.failing) this.logger.warn('outbox relay cannot publish; will retry', { error: errorMessage(error) });
      this.failing = true;
    }
  }

  private async publishBatch(): Promise<number | 'busy'> {
    const { epoch } = await this.broker.relayState();
    return this.db.$transaction(
      async (tx) => {
        // The relay lock and the claim in one round trip: every statement here waits its turn on a busy event loop.
        const claimed = await tx.$queryRaw<ClaimedRow[]>`
          SELECT lock.locked, claimed.position, claimed.envelope, claimed.created_at
          FROM (SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) AS locked) lock
          LEFT JOIN LATERAL (
            SELECT position, envelope, created_at FROM outbox
            WHERE lock.locked AND published_at IS NULL
            ORDER BY position LIMIT ${this.options.batchSize} FOR UPDATE SKIP LOCKED
          ) claimed ON true`;
        if (!claimed[0]?.locked) return 'busy';
        const rows = claimed.flatMap((row) =>
          row.position === null || row.envelope === null || row.created_at === null
            ? []
            : [{ position: row.position, envelope: row.envelope, created_at: row.created_at }],
        );
        if (rows.length === 0) return 0;
        const started = Date.now();
        // The epoch marker is read in the same round trip: when it is not the one recorded, Redis lost
        // the stream, and these entries went into a new one; they are published again with the rest.
        const pipeline = this.redis.multi().get(epochKey(this.options.stream));
        for (const row of rows) pipeline.xAdd(this.options.stream, '*', toStreamFields(row.envelope));
        const [seenEpoch, ...streamIds] = (await pipeline.execAsPipeline()).map((reply) => (reply === null ? null : String(reply)));
        if (seenEpoch !== epoch) setImmediate(this.checkBroker);
        await tx.$executeRaw`
          WITH published AS (
            UPDATE outbox SET published_at = now(), stream_id = published.stream_id
            FROM unnest(${rows.map((row) => row.position.toString())}::bigint[], ${streamIds}::text[]) AS published(position, stream_id)
            WHERE outbox.position = published.position
          )
          UPDATE relay_state SET last_stream_id = ${streamIds.at(-1) ?? null}, published = published + ${streamIds.length}, updated_at = now()
          WHERE stream = ${this.options.stream}`;
        const now = Date.now();
        this.observer?.published(rows.map((row) => (now - row.created_at.getTime()) / 1000));
        this.logger.debug('published outbox events', { count: rows.length, ms: now - started });
        return rows.length;
      },
      { timeout: 15_000, maxWait: 5_000 },
    );
  }

  private async deletePublished(): Promise<void> {
    try {
      const before = new Date(Date.now() - this.options.retentionMs);
      await this.db.outboxEvent.deleteMany({ where: { publishedAt: { lt: before } } });
    } catch (error) {
      this.logger.warn('could not delete published outbox rows', { error: errorMessage(error) });
    }
  }
}
