import type { Logger, RedisClient } from '@stockstream/platform';
import type { RecurringFailure } from '@stockstream/platform';
import type { SqlClient, SqlPool } from '@stockstream/prisma';
import type { BrokerWatch } from './broker-watch';
import type { HeldBack } from './held-back';
import { claim, moveMarkAndCommit } from './outbox-claim';
import type { LockedClaim, OutboxRow } from './outbox-claim';
import type { RelayObserver } from './outbox-metrics';
import type { RelayOptions } from './relay-options';
import { publishClaim } from './stream-publisher';

/** How a run of passes on one connection ended. */
export type PassesOutcome = 'done' | 'busy' | 'lingering';

/** Kicks that came since the last claim: the next claim, which reads all they committed, serves them. */
export interface Kicks {
  pending(): boolean;
  served(): void;
}

export interface RelayPassesDeps {
  sql: SqlPool;
  redis: RedisClient;
  options: RelayOptions;
  broker: BrokerWatch;
  heldBack: HeldBack;
  publishing: RecurringFailure;
  kicks: Kicks;
  /** Redis answered another epoch marker than the one recorded: check the broker now. */
  epochChanged: () => void;
  logger: Logger;
  observer?: RelayObserver;
}

/**
 * The passes of the relay on one connection: claim, XADD, move the mark, and claim again at once while
 * more is due (a full batch, or a kick since the claim). When a run of passes starts is the relay's.
 */
export class RelayPasses {
  constructor(private readonly deps: RelayPassesDeps) {}

  /**
   * Pass after pass, each one transaction: the relay lock and the claim, the XADDs, the stream's mark
   * moved past them; `epoch` is the broker's, for the first pass. Answers whether another relay holds the
   * lock ('busy'), or the next pass is to wait (lingersAfter) with the connection back in the pool.
   */
  async run(client: SqlClient, epoch: string): Promise<PassesOutcome> {
    const { stream, batchSize } = this.deps.options;
    let claimed = await claim(client, stream, batchSize, '', epoch);
    for (;;) {
      if (!claimed.locked) {
        await client.query('ROLLBACK');
        return 'busy';
      }
      const last = claimed.rows.at(-1);
      if (!last) {
        await client.query('ROLLBACK');
        this.passed(claimed, 0);
        return 'done';
      }
      const started = Date.now();
      const { streamIds, epochChanged } = await publishClaim(this.deps.redis, stream, claimed);
      if (epochChanged) setImmediate(this.deps.epochChanged);
      // Timed at the XADD, as the metric says (commit → XADD), not after the mark, which may carry the next claim.
      this.published(claimed.rows, started);
      const mark = moveMarkAndCommit(client, stream, last, streamIds);
      const nextEpoch = this.deps.broker.loadedState?.epoch;
      const due = nextEpoch !== undefined && (claimed.rows.length === batchSize || this.deps.kicks.pending());
      const lingering = due && this.lingersAfter(claimed.rows.length);
      // The next claim reads everything committed before it starts: the kicks so far are served by it.
      if (due) this.deps.kicks.served();
      const next = due && !lingering ? await claim(client, stream, batchSize, mark, nextEpoch) : undefined;
      if (!next) await client.query(mark);
      this.passed(claimed, claimed.rows.length);
      if (!next) return lingering ? 'lingering' : 'done';
      claimed = next;
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
    return this.deps.options.lingerMs > 0 && published < this.deps.options.batchSize && this.deps.sql.waitingCount > 0;
  }

  private published(rows: OutboxRow[], started: number): void {
    const now = Date.now();
    this.deps.observer?.published(rows.map((row) => (now - row.created_at.getTime()) / 1000));
    this.deps.logger.debug('published outbox events', { count: rows.length, ms: now - started });
  }

  /** After a pass: one that left the batch short has reached what is committed, or what waits behind an older transaction. */
  private passed({ held, horizon }: LockedClaim, published: number): void {
    this.deps.publishing.succeeded();
    if (published === this.deps.options.batchSize) return;
    this.deps.heldBack.passed(held, horizon);
    if (!held) this.deps.broker.drained();
  }
}
