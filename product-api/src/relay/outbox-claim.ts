// Claiming: which outbox rows a pass publishes, and moving the stream's mark past them, as the SQL the
// relay sends on its connection (simple protocol, one round trip each; docs/decisions/0009).
import type { ProductEvent } from '@stockstream/contracts';
import type { SqlClient, SqlPool, SqlResult } from '@stockstream/prisma';

/** One relay publishes at a time across all replicas: a batch goes out whole and the mark moves one way (ADR 2, 9). */
export const RELAY_LOCK_KEY = 7_212_001;

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

export interface OutboxRow {
  position: string;
  txid: string;
  envelope: ProductEvent;
  created_at: Date;
}

/** A claim: not locked (another relay holds the lock), or the rows it took, with the broker's epoch it took them under. */
export interface LockedClaim {
  locked: true;
  held: boolean;
  horizon: string;
  epoch: string;
  rows: OutboxRow[];
}
export type Claim = { locked: false } | LockedClaim;

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

/**
 * BEGIN, the lock and the claim, after `before` (the last pass's mark and COMMIT, or nothing) in the
 * same query; `epoch` is the broker's as recorded, for the XADDs of what it claims.
 */
export async function claim(client: SqlClient, stream: string, batchSize: number, before: string, epoch: string): Promise<Claim> {
  const results = (await client.query(before + beginAndClaim(client, stream, batchSize))) as unknown as SqlResult<ClaimedRow>[];
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

const DIGITS = /^\d+$/;
const STREAM_ID = /^\d+-\d+$/;

/**
 * The stream's mark moved to the last row published, the relay's state advanced, and COMMIT, as one
 * simple-protocol query, or as the head of the next pass's claim. The mark (numbers from Postgres) and
 * the stream id (from Redis) are checked against their exact shapes before they are written into the
 * text; the stream is quoted by pg.
 */
export function moveMarkAndCommit(client: SqlClient, stream: string, mark: OutboxRow, streamIds: string[]): string {
  if (!DIGITS.test(mark.txid) || !DIGITS.test(mark.position)) throw new Error('an outbox mark is not a pair of integers');
  if (!streamIds.every((id) => STREAM_ID.test(id)))
    throw new Error(`XADD answered something other than stream ids: ${streamIds.join(', ')}`);
  return `
    UPDATE relay_state SET published_txid = '${mark.txid}', published_position = ${mark.position},
      last_stream_id = '${streamIds.at(-1) ?? ''}', published = published + ${streamIds.length}, updated_at = now()
    WHERE stream = ${client.escapeLiteral(stream)};
    COMMIT;`;
}

/** Rows above the stream's mark (all of them before the relay's first pass made its state). */
export async function countBacklog(sql: SqlPool, stream: string): Promise<number> {
  const { rows } = await sql.query<{ count: string }>(
    `SELECT count(*) FROM outbox WHERE (txid, position) > (
       coalesce((SELECT published_txid FROM relay_state WHERE stream = $1), '0'),
       coalesce((SELECT published_position FROM relay_state WHERE stream = $1), 0))`,
    [stream],
  );
  return Number(rows[0]?.count ?? 0);
}
