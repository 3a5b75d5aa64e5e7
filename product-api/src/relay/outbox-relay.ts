import { setTimeout as delay } from 'node:timers/promises';
import type { Logger, RedisClient } from '@stockstream/platform';
import { RecurringFailure } from '@stockstream/platform';
import type { SqlPool } from '@stockstream/prisma';
import { withSqlClient } from '@stockstream/prisma';
import type { ProductDb } from '@stockstream/prisma/product';
import { BrokerWatch } from './broker-watch';
import { HeldBack } from './held-back';
import { RELAY_LOCK_KEY, countBacklog } from './outbox-claim';
import { OutboxHousekeeping } from './outbox-housekeeping';
import type { RelayObserver } from './outbox-metrics';
import type { RelayOptions } from './relay-options';
import { RelayPasses } from './relay-passes';
import type { PassesOutcome } from './relay-passes';

const BUSY_RETRY_MS = 50;
/** A transaction that holds events back is looked past at least once a second, whatever the sweep's interval. */
const HELD_LOOK_MAX_MS = 1_000;

/**
 * Publishes outbox rows to the stream: right after each commit (kick), and on an interval for what a
 * crash or a Redis outage left behind. This file decides when passes run (kicks, linger, timers); a run
 * of passes is relay-passes.ts, what a pass claims and how the mark moves outbox-claim.ts, the XADDs
 * stream-publisher.ts, the deletes and trims outbox-housekeeping.ts. The
 * stream's mark moves past a row in the transaction that read it, so a failure before the commit
 * publishes it again later: at least once, and consumers drop duplicates by event id. When Redis loses
 * the stream, the broker watch moves the mark back to the start.
 */
export class OutboxRelay {
  readonly broker: BrokerWatch;
  private timer: NodeJS.Timeout | undefined;
  private brokerTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly publishing: RecurringFailure;
  private readonly housekeeping: OutboxHousekeeping;
  private readonly heldBack: HeldBack;
  private readonly passes: RelayPasses;

  constructor(
    db: ProductDb,
    private readonly sql: SqlPool,
    private readonly redis: RedisClient,
    private readonly options: RelayOptions,
    private readonly logger: Logger,
    observer?: RelayObserver,
  ) {
    this.publishing = new RecurringFailure(logger, 'outbox relay cannot publish; will retry', 'outbox relay publishing again');
    this.housekeeping = new OutboxHousekeeping(sql, redis, options, logger, observer);
    const streams = { stream: options.stream, deadLetterStream: options.deadLetterStream ?? `${options.stream}.dlq` };
    this.broker = new BrokerWatch(db, redis, streams, RELAY_LOCK_KEY, logger, observer, () => this.kick());
    this.heldBack = new HeldBack(logger, Math.min(options.sweepIntervalMs, HELD_LOOK_MAX_MS), () => this.kick());
    const kicks = { pending: () => this.again, served: () => (this.again = false) };
    const { broker, heldBack, publishing } = this;
    this.passes = new RelayPasses({
      sql,
      redis,
      options,
      broker,
      heldBack,
      publishing,
      kicks,
      epochChanged: this.checkBroker,
      logger,
      observer,
    });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.kick();
      void this.housekeeping.deletePublished();
    }, this.options.sweepIntervalMs);
    this.timer.unref();
    this.brokerTimer = setInterval(() => void this.broker.check().then(() => this.housekeeping.trim()), this.options.brokerCheckIntervalMs);
    this.brokerTimer.unref();
    // A Redis that comes back may have come back empty.
    this.redis.on('ready', this.checkBroker);
    this.kick();
    this.checkBroker();
  }

  /** Looks for lost data now; a listener, so that stop() can remove it. */
  private readonly checkBroker = () => void this.broker.check();

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

  backlog(): Promise<number> {
    return countBacklog(this.sql, this.options.stream);
  }

  /**
   * Passes on one connection while more is due (a full batch, or a kick since the claim): each pass's mark
   * and COMMIT travel with the next pass's BEGIN and claim, one round trip where there were two. Straight
   * through the pool, not Prisma: this runs after every create, and each round trip is latency every event
   * waits for (bench/history/2026-11-performance-notebook.md).
   */
  private async drain(): Promise<void> {
    try {
      let outcome: PassesOutcome;
      do {
        // Loaded before the connection is taken: it may query through the pool, which may have no other.
        const { epoch } = await this.broker.relayState();
        outcome = await withSqlClient(this.sql, (client) => this.passes.run(client, epoch));
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
}
