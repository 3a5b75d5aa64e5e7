import { setTimeout as delay } from 'node:timers/promises';
import type { ProductEvent } from '@stockstream/contracts';
import { toStreamFields } from '@stockstream/contracts';
import type { Logger, RedisClient } from '@stockstream/platform';
import { RecurringFailure } from '@stockstream/platform';
import type { SqlClient, SqlPool, SqlResult } from '@stockstream/prisma';
import type { ProductDb } from '@stockstream/prisma/product';
import { withSqlClient } from '@stockstream/prisma';
import { epochKey } from './broker-epoch';
import { HeldBack } from './held-back';
import { BrokerWatch } from './broker-watch';
import type { RelayObserver } from './outbox-metrics';
import { trimSafely } from './stream-trimmer';

export interface RelayOptions {
  stream: string;
  /** The hard cap of the stream: only reached when consumers lag that far (see trimSafely). */
  maxLen: number;
  batchSize: number;
  /**
   * How long the next pass waits for more while requests wait for a connection of the pool (and the last
   * pass was not a full batch): under load, fewer and fuller passes. 0: never waits.
   */
  lingerMs: number;
  sweepIntervalMs: number;
  retentionMs: number;
  /** How often the stream is checked for lost data and trimmed below what every group is done with. */
  brokerCheckIntervalMs: number;
  /** The consumers' dead-letter stream, watched so that a broker reset can count what it lost (default `<stream>.dlq`). */
  deadLetterStream?: string;
}

/**
 * One row per claimed event; a single row with nulls when there is none, or when another relay holds the
 * lock. Every row also says whether committed rows wait behind an older transaction still running.
 */
interface ClaimedRow {
  locked: boolean;
  held: boolean;
  /** The oldest transaction id still running when the claim read the outbox. */
  horizon: string;
  /** Bigints and xid8s, as pg gives them: text. */
  position: string | null;
  txid: string | null;
  envelope: ProductEvent | null;
  created_at: Date | null;
}

/** One relay publishes at a time across all replicas: a batch goes out whole and the mark moves one way (ADR 2, 9). */
const RELAY_LOCK_KEY = 7_212_001;

/**
 * BEGIN, the relay lock and the claim, as one simple-protocol query (one round trip, with the last pass's
 * mark and COMMIT in front when one pass follows another): the lock key and the batch size are integers
 * of ours and the stream is quoted by pg. The lock is tried by a statement of its own, which leaves its
 * answer in a transaction-local setting: each statement reads from a snapshot taken when it starts, so
 * the claim sees the mark that the lock's last holder committed. It takes the rows above the stream's
 * mark whose transaction id is below the oldest transaction still running (the horizon): those
 * transactions are over, so no row can appear below the mark later (docs/decisions/0009).
 * Rows of transactions that committed after an older one began wait for it: `held` says some do. The
 * transaction only moves the mark, so its commit need not wait for the disk: a commit that a Postgres
 * crash loses leaves the rows to be published again, which consumers drop by event id (at least once).
 */
const beginAndClaim = (client: SqlClient, stream: string, batchSize: number) => `
  BEGIN;
  SET LOCAL synchronous_commit = off;
  SELECT set_config('stockstream.relay_locked', pg_try_advisory_xact_lock(${RELAY_LOCK_KEY})::text, true);
  WITH relay AS MATERIALIZED (
    SELECT locked, horizon, (SELECT txid FROM outbox ORDER BY txid DESC LIMIT 1) >= horizon AS held
    FROM (SELECT current_setting('stockstream.relay_locked')::boolean AS locked, pg_snapshot_xmin(pg_current_snapshot()) AS horizon) now
  )
  SELECT relay.locked, coalesce(relay.held, false) AS held, relay.horizon::text AS horizon,
    claimed.position, claimed.txid::text AS txid, claimed.envelope, claimed.created_at
  FROM relay LEFT JOIN LATERAL (
    SELECT position, txid, envelope, created_at FROM outbox
    WHERE relay.locked AND txid < relay.horizon
      AND (txid, position) > (SELECT published_txid, published_position FROM relay_state WHERE stream = ${client.escapeLiteral(stream)})
    ORDER BY txid, position LIMIT ${batchSize}
  ) claimed ON true`;

interface OutboxRow {
  position: string;
  txid: string;
  envelope: ProductEvent;
  created_at: Date;
}

/** A claim: not locked (another relay holds the lock), or the rows it took, with the broker's epoch it took them under. */
interface LockedClaim {
  locked: true;
  held: boolean;
  horizon: string;
  epoch: string;
  rows: OutboxRow[];
}
type Claim = { locked: false } | LockedClaim;

/** How a run of passes on one connection ended. */
type PassesOutcome = 'done' | 'busy' | 'lingering';

const DIGITS = /^\d+$/;
const STREAM_ID = /^\d+-\d+$/;

interface Mark {
  txid: string;
  position: string;
}

/**
 * The stream's mark moved to the last row published, the relay's state advanced, and COMMIT, as one
 * simple-protocol query, or as the head of the next pass's claim. The mark (numbers from Postgres) and
 * the stream id (from Redis) are checked against their exact shapes before they are written into the
 * text; the stream is quoted by pg.
 */
function moveMarkAndCommit(client: SqlClient, stream: string, mark: Mark, streamIds: string[]): string {
  if (!DIGITS.test(mark.txid) || !DIGITS.test(mark.position)) throw new Error('an outbox mark is not a pair of integers');
  if (!streamIds.every((id) => STREAM_ID.test(id)))
    throw new Error(`XADD answered something other than stream ids: ${streamIds.join(', ')}`);
  return `
    UPDATE relay_state SET published_txid = '${mark.txid}', published_position = ${mark.position},
      last_stream_id = '${streamIds.at(-1) ?? ''}', published = published + ${streamIds.length}, updated_at = now()
    WHERE stream = ${client.escapeLiteral(stream)};
    COMMIT;`;
}

const BUSY_RETRY_MS = 50;
/** A transaction that holds events back is looked past at least once a second, whatever the sweep's interval. */
const HELD_LOOK_MAX_MS = 1_000;

/**
 * Publishes outbox rows to the stream: right after each commit (kick), and on an interval for what a
 * crash or a Redis outage left behind. The stream's mark moves past a row in the transaction that read
 * it, so a failure before the commit publishes it again later: at least once, and consumers drop
 * duplicates by event id. When Redis loses the stream, the broker watch moves the mark back to the start.
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
  private readonly heldBack: HeldBack;

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
    const streams = { stream: options.stream, deadLetterStream: options.deadLetterStream ?? `${options.stream}.dlq` };
    this.broker = new BrokerWatch(db, redis, streams, RELAY_LOCK_KEY, logger, observer, () => this.kick());
    this.heldBack = new HeldBack(logger, Math.min(options.sweepIntervalMs, HELD_LOOK_MAX_MS), () => this.kick());
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
    this.heldBack.stop();
    this.redis.off('ready', this.checkBroker);
    await this.draining;
    if (this.redis.isReady) await this.drain();
    this.stopped = true;
  }

  /** Whether its last pass found committed rows waiting behind an older transaction still running. */
  get waitingOnOlderTransaction(): boolean {
    return this.heldBack.waiting;
  }

  /** Rows above the stream's mark (all of them before the relay's first pass made its state). */
  async backlog(): Promise<number> {
    const { rows } = await this.sql.query<{ count: string }>(
      `SELECT count(*) FROM outbox WHERE (txid, position) > (
         coalesce((SELECT published_txid FROM relay_state WHERE stream = $1), '0'),
         coalesce((SELECT published_position FROM relay_state WHERE stream = $1), 0))`,
      [this.options.stream],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * Passes on one connection while more is due (a full batch, or a kick since the claim): each pass's mark
   * and COMMIT travel with the next pass's BEGIN and claim, one round trip where there were two. Straight
   * through the pool, not Prisma: this runs after every create, and each round trip is latency every event
   * waits for (docs/performance.md).
   */
  private async drain(): Promise<void> {
    try {
      let outcome: PassesOutcome;
      do {
        // Loaded before the connection is taken: it may query through the pool, which may have no other.
        const { epoch } = await this.broker.relayState();
        outcome = await withSqlClient(this.sql, (client) => this.publishWhileDue(client, epoch));
        // Kicks meanwhile are served by the pass after the wait (this drain's): it claims what they committed.
        if (outcome === 'lingering') await delay(this.options.lingerMs);
      } while (outcome === 'lingering');
      if (outcome === 'busy') {
        this.logger.debug('outbox relay busy elsewhere; retrying shortly');
        setTimeout(() => this.kick(), BUSY_RETRY_MS).unref();
      }
    } catch (error) {
      this.publishing.failed(error);
    }
  }

  /**
   * Pass after pass, each one transaction: the relay lock and the claim, the XADDs, the stream's mark
   * moved past them; `epoch` is the broker's, for the first pass. Answers whether another relay holds the
   * lock ('busy'), or the next pass is to wait (lingersAfter) with the connection back in the pool.
   */
  private async publishWhileDue(client: SqlClient, epoch: string): Promise<PassesOutcome> {
    let claim = await this.claim(client, '', epoch);
    for (;;) {
      if (!claim.locked) {
        await client.query('ROLLBACK');
        return 'busy';
      }
      const last = claim.rows.at(-1);
      if (!last) {
        await client.query('ROLLBACK');
        this.passed(claim, 0);
        return 'done';
      }
      const started = Date.now();
      const streamIds = await this.publish(claim);
      // Timed at the XADD, as the metric says (commit → XADD), not after the mark, which may carry the next claim.
      this.published(claim.rows, started);
      const mark = moveMarkAndCommit(client, this.options.stream, last, streamIds);
      const nextEpoch = this.broker.loadedState?.epoch;
      const due = nextEpoch !== undefined && (claim.rows.length === this.options.batchSize || this.again);
      const lingering = due && this.lingersAfter(claim.rows.length);
      // The next claim reads everything committed before it starts: the kicks so far are served by it.
      if (due) this.again = false;
      const next = due && !lingering ? await this.claim(client, mark, nextEpoch) : undefined;
      if (!next) await client.query(mark);
      this.passed(claim, claim.rows.length);
      if (!next) return lingering ? 'lingering' : 'done';
      claim = next;
    }
  }

  /**
   * Whether the next pass waits for more rows, after one that published `published`: when requests wait
   * for a connection of the pool, each pass the relay makes is a turn they wait more, and its cost (two
   * round trips, the claim planned, a commit) is paid again for a handful of events. Not after a full
   * batch (a backlog: the next goes at once), nor while the pool keeps up, so that a commit's event goes
   * out without delay. The relay's mark and COMMIT then go alone and its connection back to the pool
   * for the wait: a round trip more a pass, fewer passes.
   */
  private lingersAfter(published: number): boolean {
    return this.options.lingerMs > 0 && published < this.options.batchSize && this.sql.waitingCount > 0;
  }

  /**
   * BEGIN, the lock and the claim, after `before` (the last pass's mark and COMMIT, or nothing) in the
   * same query; `epoch` is the broker's as recorded, for the XADDs of what it claims.
   */
  private async claim(client: SqlClient, before: string, epoch: string): Promise<Claim> {
    const results = (await client.query(
      before + beginAndClaim(client, this.options.stream, this.options.batchSize),
    )) as unknown as SqlResult<ClaimedRow>[];
    const claimed = results.at(-1)?.rows ?? [];
    const relay = claimed[0];
    if (!relay?.locked) return { locked: false };
    const rows = claimed.flatMap((row) =>
      row.position === null || row.txid === null || row.envelope === null || row.created_at === null
        ? []
        : [{ position: row.position, txid: row.txid, envelope: row.envelope, created_at: row.created_at }],
    );
    return { locked: true, held: relay.held, horizon: relay.horizon, epoch, rows };
  }

  /** The claimed rows to the stream, in one pipeline; answers their stream ids. */
  private async publish({ rows, epoch }: LockedClaim): Promise<string[]> {
    // The epoch marker is read in the same round trip: when it is not the one recorded, Redis lost
    // the stream, and these entries went into a new one; they are published again with the rest.
    const pipeline = this.redis.multi().get(epochKey(this.options.stream));
    for (const row of rows) pipeline.xAdd(this.options.stream, '*', toStreamFields(row.envelope));
    const [seenEpoch, ...streamIds] = await pipeline.execAsPipeline();
    if (seenEpoch === null || String(seenEpoch) !== epoch) setImmediate(this.checkBroker);
    return streamIds.map(String);
  }

  private published(rows: OutboxRow[], started: number): void {
    const now = Date.now();
    this.observer?.published(rows.map((row) => (now - row.created_at.getTime()) / 1000));
    this.logger.debug('published outbox events', { count: rows.length, ms: now - started });
  }

  /** After a pass: one that left the batch short has reached what is committed, or what waits behind an older transaction. */
  private passed({ held, horizon }: LockedClaim, published: number): void {
    this.publishing.succeeded();
    if (published === this.options.batchSize) return;
    this.heldBack.passed(held, horizon);
    if (!held) this.broker.drained();
  }

  /** Rows the stream's mark has passed, once older than the retention. */
  private async deletePublished(): Promise<void> {
    await this.deleting.attempt(() =>
      this.sql.query(
        `DELETE FROM outbox USING relay_state mark
         WHERE mark.stream = $1 AND outbox.created_at < $2
           AND (outbox.txid, outbox.position) <= (mark.published_txid, mark.published_position)`,
        [this.options.stream, new Date(Date.now() - this.options.retentionMs)],
      ),
    );
  }
}
