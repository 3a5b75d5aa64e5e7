import type { ProductEvent } from '@stockstream/contracts';
import { toStreamFields } from '@stockstream/contracts';
import type { Logger, RedisClient } from '@stockstream/platform';
import { RecurringFailure } from '@stockstream/platform';
import type { ProductDb, SqlClient, SqlPool, SqlResult } from '@stockstream/prisma';
import { withSqlClient } from '@stockstream/prisma';
import { epochKey } from './broker-epoch';
import { BrokerWatch } from './broker-watch';
import type { RelayObserver } from './outbox-metrics';
import { trimSafely } from './stream-trimmer';

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
  /** A bigint, as pg gives it: text. */
  position: string | null;
  envelope: ProductEvent | null;
  created_at: Date | null;
}

/** One relay publishes at a time across all replicas, so events of one product reach the stream in commit order. */
const RELAY_LOCK_KEY = 7_212_001;

/**
 * BEGIN and the relay lock and the claim, as one simple-protocol query (one round trip): the lock key and
 * the batch size are integers of ours, written into the text. The transaction only marks rows published,
 * so its commit need not wait for the disk: a commit that a Postgres crash loses leaves the rows to be
 * published again, which consumers drop by event id (at least once, as any failure before the commit).
 */
const beginAndClaim = (batchSize: number) => `
  BEGIN;
  SET LOCAL synchronous_commit = off;
  SELECT lock.locked, claimed.position, claimed.envelope, claimed.created_at
  FROM (SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) AS locked) lock
  LEFT JOIN LATERAL (
    SELECT position, envelope, created_at FROM outbox
    WHERE lock.locked AND published_at IS NULL
    ORDER BY position LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
  ) claimed ON true`;

const DIGITS = /^\d+$/;
const STREAM_ID = /^\d+-\d+$/;

/**
 * The claimed rows marked published, the relay's state advanced, and COMMIT, as one simple-protocol
 * query (one round trip). Positions (bigints from Postgres) and stream ids (from Redis) are checked
 * against their exact shapes before they are written into the text; the stream name is quoted by pg.
 */
function markPublishedAndCommit(client: SqlClient, stream: string, positions: string[], streamIds: string[]): string {
  if (!positions.every((position) => DIGITS.test(position))) throw new Error('an outbox position is not an integer');
  if (!streamIds.every((id) => STREAM_ID.test(id)))
    throw new Error(`XADD answered something other than stream ids: ${streamIds.join(', ')}`);
  return `
    WITH published AS (
      UPDATE outbox SET published_at = now(), stream_id = published.stream_id
      FROM unnest('{${positions.join(',')}}'::bigint[], '{${streamIds.join(',')}}'::text[]) AS published(position, stream_id)
      WHERE outbox.position = published.position
    )
    UPDATE relay_state SET last_stream_id = '${streamIds.at(-1) ?? ''}', published = published + ${streamIds.length}, updated_at = now()
    WHERE stream = ${client.escapeLiteral(stream)};
    COMMIT`;
}

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
  private stopped = false;
  private readonly publishing: RecurringFailure;
  private readonly deleting: RecurringFailure;
  private readonly trimming: RecurringFailure;

  constructor(
    private readonly db: ProductDb,
    private readonly sql: SqlPool,
    private readonly redis: RedisClient,
    private readonly options: RelayOptions,
    private readonly logger: Logger,
    private readonly observer?: RelayObserver,
  ) {
    this.publishing = new RecurringFailure(logger, 'outbox relay cannot publish; will retry', 'outbox relay publishing again');
    this.deleting = new RecurringFailure(
      logger,
      'could not delete published outbox rows; will retry',
      'deleting published outbox rows again',
    );
    this.trimming = new RecurringFailure(logger, 'could not trim the stream; will retry', 'trimming the stream again');
    this.broker = new BrokerWatch(db, redis, options.stream, RELAY_LOCK_KEY, logger, observer, () => this.kick());
  }

  start(): void {
    this.timer = setInterval(() => {
      this.kick();
      void this.deletePublished();
    }, this.options.sweepIntervalMs);
    this.timer.unref();
    this.brokerTimer = setInterval(() => void this.watchBroker(), this.options.brokerCheckIntervalMs);
    this.brokerTimer.unref();
    // A Redis that comes back may have come back empty.
    this.redis.on('ready', this.checkBroker);
    this.kick();
    this.checkBroker();
  }

  /** Looks for lost data now; a listener, so that stop() can remove it. */
  private readonly checkBroker = () => void this.broker.check();

  private async watchBroker(): Promise<void> {
    await this.broker.check();
    if (!this.redis.isReady) return;
    await this.trimming.attempt(async () => {
      const { droppedUnread } = await trimSafely(this.redis, this.options.stream, this.options.maxLen, this.logger);
      this.observer?.droppedUnread(droppedUnread);
    });
  }

  /** Publish soon; calls while a drain runs coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
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
    const { rows } = await this.sql.query<{ count: string }>('SELECT count(*) FROM outbox WHERE published_at IS NULL');
    return Number(rows[0]?.count ?? 0);
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
        this.publishing.succeeded();
        if (published < this.options.batchSize) {
          this.broker.drained();
          return;
        }
      }
    } catch (error) {
      this.publishing.failed(error);
    }
  }

  private async publishBatch(): Promise<number | 'busy'> {
    const { epoch } = await this.broker.relayState();
    // Straight through the pool, not Prisma, in three round trips (two to Postgres): this runs after
    // every create, and each round trip is latency every event waits for (docs/performance.md).
    return withSqlClient(this.sql, (client) => this.publishClaimed(client, epoch));
  }

  /** In one transaction: the relay lock and the claim, the XADDs, the claimed rows marked published. */
  private async publishClaimed(client: SqlClient, epoch: string): Promise<number | 'busy'> {
    const [, , { rows: claimed }] = (await client.query(beginAndClaim(this.options.batchSize))) as unknown as [
      SqlResult,
      SqlResult,
      SqlResult<ClaimedRow>,
    ];
    if (!claimed[0]?.locked) {
      await client.query('ROLLBACK');
      return 'busy';
    }
    const rows = claimed.flatMap((row) =>
      row.position === null || row.envelope === null || row.created_at === null
        ? []
        : [{ position: row.position, envelope: row.envelope, created_at: row.created_at }],
    );
    if (rows.length === 0) {
      await client.query('ROLLBACK');
      return 0;
    }
    const started = Date.now();
    // The epoch marker is read in the same round trip: when it is not the one recorded, Redis lost
    // the stream, and these entries went into a new one; they are published again with the rest.
    const pipeline = this.redis.multi().get(epochKey(this.options.stream));
    for (const row of rows) pipeline.xAdd(this.options.stream, '*', toStreamFields(row.envelope));
    const [seenEpoch, ...streamIds] = await pipeline.execAsPipeline();
    if (seenEpoch === null || String(seenEpoch) !== epoch) setImmediate(this.checkBroker);
    await client.query(
      markPublishedAndCommit(
        client,
        this.options.stream,
        rows.map((row) => row.position),
        streamIds.map(String),
      ),
    );
    const now = Date.now();
    this.observer?.published(rows.map((row) => (now - row.created_at.getTime()) / 1000));
    this.logger.debug('published outbox events', { count: rows.length, ms: now - started });
    return rows.length;
  }

  private async deletePublished(): Promise<void> {
    await this.deleting.attempt(() =>
      this.sql.query('DELETE FROM outbox WHERE published_at < $1', [new Date(Date.now() - this.options.retentionMs)]),
    );
  }
}
