import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, RedisClient } from '@stockstream/platform';
import { compareStreamIds, errorMessage } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { BatchHandler } from './batch-handler';
import { BatchesInFlight } from './batches-in-flight';
import { ConsumerGroup, isMissingGroup } from './consumer-group';
import { housekeeping } from './housekeeping';
import type { ConsumerObserver, ConsumerOptions } from './consumer-options';
import { quietObserver } from './consumer-options';
import { redisDeadLetterWriter } from './dead-letters';
import type { DeadLetterWriter } from './dead-letters';
import { EntriesInHand } from './entries-in-hand';
import { ConsumptionHold } from './consumption-hold';

export interface ConsumerDeps {
  db: InventoryDb;
  /** For XACK, XCLAIM, XAUTOCLAIM, XPENDING, XINFO and the dead-letter stream. */
  redis: RedisClient;
  /** Its own connection, since XREADGROUP BLOCK holds the connection it runs on. */
  reader: RedisClient;
  logger: Logger;
  options: ConsumerOptions;
  observer?: ConsumerObserver;
  /** Where dead letters go; the dead-letter stream unless a test puts something in between. */
  writeDeadLetter?: DeadLetterWriter;
}

/**
 * One consumer of the product stream in its consumer group, as one supervised loop: claim what is idle
 * (entries of dead consumers, failed entries due for their retry), read what is new, handle it, and now
 * and then remove idle consumers and prune old event ids and tombstones. An error anywhere in the loop
 * is counted, logged once when it starts and once when it ends, and waited out with a capped backoff;
 * it never ends consumption. Readiness turns false while the loop fails or has not read for readStallMs.
 */
export class StreamConsumer {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private lastReadAt = 0;
  /** The loop's last error, until it has gone a whole claim cycle without one. */
  private failure: string | undefined;
  private failuresSinceHealthy = 0;
  private lastFailureAt = 0;
  private nextClaimAt = 0;
  private nextHousekeepingAt = 0;
  /** The epoch marker as last seen; undefined before the first look. */
  private knownEpoch: string | null | undefined;
  private readonly group: ConsumerGroup;
  /** Paused by an operator or the kill switch, the loop reads and claims nothing. */
  private readonly hold: ConsumptionHold;
  private readonly entriesInHand: EntriesInHand;
  private readonly handler: BatchHandler;
  private readonly batches: BatchesInFlight;
  private readonly observer: ConsumerObserver;

  constructor(private readonly deps: ConsumerDeps) {
    this.observer = deps.observer ?? quietObserver;
    this.group = new ConsumerGroup(deps.redis, deps.reader, deps.options);
    this.hold = new ConsumptionHold(deps.redis, deps.options, deps.logger, this.observer);
    this.entriesInHand = new EntriesInHand(deps.redis, deps.options, deps.logger);
    this.batches = new BatchesInFlight(deps.options.batchesInFlight);
    this.handler = new BatchHandler({
      db: deps.db,
      group: this.group,
      entriesInHand: this.entriesInHand,
      writeDeadLetter: deps.writeDeadLetter ?? redisDeadLetterWriter(deps.redis, deps.options),
      logger: deps.logger,
      observer: this.observer,
      options: deps.options,
      stopping: () => this.stopping,
      killSwitch: this.hold.killSwitch,
      tripped: (trip) => this.hold.trip(trip),
    });
  }

  get running(): boolean {
    return this.loop !== undefined && !this.stopping;
  }

  get waitingForDatabase(): boolean {
    return this.handler.waitingForDatabase;
  }

  /** How often it found the database still away while holding entries through an outage. */
  get databaseProbes(): number {
    return this.handler.databaseProbes;
  }

  /** Whether consumption is paused, as the loop last looked (once a claim interval). */
  get paused(): boolean {
    return this.hold.paused;
  }

  /** For readiness: ok while the loop runs, its last round succeeded, and a read completed recently. */
  health(): { ok: true; detail?: string } | { ok: false; detail: string } {
    if (!this.running) return { ok: false, detail: 'not running' };
    if (this.failure !== undefined) return { ok: false, detail: `loop failing: ${this.failure}` };
    const sinceRead = Date.now() - this.lastReadAt;
    if (sinceRead > this.deps.options.readStallMs) return { ok: false, detail: `no read for ${Math.round(sinceRead / 1000)} s` };
    const pause = this.hold.pause;
    if (pause) return { ok: true, detail: `paused${pause.reason ? `: ${pause.reason}` : ''}` };
    return { ok: true };
  }

  async start(): Promise<void> {
    await this.group.ensure();
    // The first statement of a process is slow (a connection, Prisma's first raw query); pay for it before
    // the first event instead of during it, on the path the apply takes (one raw statement, ADR 8).
    // Read-only, so that it waits on no table lock.
    await this.deps.db.$queryRaw`SELECT count(*) FROM processed_events WHERE event_id = ANY(${[]}::uuid[])`;
    await this.hold.look();
    this.lastReadAt = Date.now();
    this.nextClaimAt = Date.now() + this.deps.options.claimIntervalMs;
    this.nextHousekeepingAt = Date.now() + this.deps.options.pruneIntervalMs;
    this.entriesInHand.start();
    this.loop = this.run();
    const { stream, group, consumer } = this.deps.options;
    this.deps.logger.info('consumer started', { stream, group, consumer });
  }

  /** Stops reading, finishes and acknowledges the batch in hand; what is left stays pending for the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    this.entriesInHand.stop();
  }

  private async run(): Promise<void> {
    // First what this consumer name was given before and never acknowledged (a restart under the same name).
    let after = '0';
    let consecutive = 0;
    while (!this.stopping) {
      try {
        if (after !== '>' && !this.paused) after = await this.rereadOwn(after);
        else await this.round();
        consecutive = 0;
        this.roundSucceeded();
      } catch (error) {
        // The loop starts over only once the batches it handed off are done (their failures are this one's).
        await this.batches.settle().catch(() => undefined);
        if (
          isMissingGroup(error) &&
          (await this.startGroupOver('group-missing').then(
            () => true,
            () => false,
          ))
        )
          continue;
        consecutive++;
        this.roundFailed(error);
        await sleep(Math.min(100 * 2 ** (consecutive - 1), 5_000));
      }
    }
    // Stopping: the batches in flight finish and are acknowledged; a failure leaves its entries pending.
    await this.batches.settle().catch((error: unknown) => this.roundFailed(error));
  }

  /**
   * An error that recurs (an entry claimed again every CLAIM_IDLE_MS and failing again) is one failure,
   * not many: it is logged when it starts and when a whole claim cycle has passed without it.
   */
  private roundFailed(error: unknown): void {
    this.failure = errorMessage(error);
    this.lastFailureAt = Date.now();
    this.failuresSinceHealthy++;
    this.observer.loopError();
    if (this.failuresSinceHealthy === 1) this.deps.logger.error('consumer loop failing; retrying with backoff', { error: this.failure });
  }

  private roundSucceeded(): void {
    if (this.failure === undefined) return;
    const { claimIdleMs, claimIntervalMs, blockMs } = this.deps.options;
    if (Date.now() - this.lastFailureAt < claimIdleMs + claimIntervalMs + blockMs) return;
    this.deps.logger.info('consumer loop recovered', { errors: this.failuresSinceHealthy });
    this.failure = undefined;
    this.failuresSinceHealthy = 0;
  }

  private async rereadOwn(after: string): Promise<string> {
    const own = await this.group.read(after, 0);
    await this.handler.handle(own);
    const ids = [...own.entries.map((entry) => entry.id), ...own.deletedIds];
    return ids.length === 0 ? '>' : ids.reduce((last, id) => (compareStreamIds(id, last) > 0 ? id : last));
  }

  private async round(): Promise<void> {
    const { claimIntervalMs, blockMs, pruneIntervalMs } = this.deps.options;
    if (Date.now() >= this.nextClaimAt) {
      // Claims and the epoch check see the group with nothing of this consumer's in flight.
      await this.batches.settle();
      await this.watchEpoch();
      await this.hold.look();
      if (!this.paused) await this.claimIdle();
      this.nextClaimAt = Date.now() + claimIntervalMs;
    }
    if (Date.now() >= this.nextHousekeepingAt) {
      await housekeeping(this.deps);
      this.nextHousekeepingAt = Date.now() + pruneIntervalMs;
    }
    if (this.stopping) return;
    if (this.paused) {
      // Holds: reads nothing, claims nothing, spends no retry; looks again at the next claim interval.
      while (!this.stopping && Date.now() < this.nextClaimAt) await sleep(Math.min(100, this.nextClaimAt - Date.now()));
      this.lastReadAt = Date.now();
      return;
    }
    // Block no longer than until the next claim is due, so that claims keep their interval.
    const entries = await this.group.read('>', Math.max(10, Math.min(blockMs, this.nextClaimAt - Date.now())));
    this.lastReadAt = Date.now();
    this.observer.read();
    await this.batches.add(this.handler.handle(entries));
  }

  /**
   * Redis lost the stream or the group (restarted empty, failed over, flushed): the group is made again
   * at the stream's start, so that it reads what the relay republishes from the outbox.
   */
  private async startGroupOver(reason: 'group-missing' | 'epoch-missing' | 'epoch-changed'): Promise<void> {
    const { stream, group } = this.deps.options;
    this.deps.logger.error('the stream or its consumer group was lost (broker reset); reading it again from its start', {
      stream,
      group,
      reason,
    });
    this.observer.brokerReset(reason);
    await this.group.ensure();
    this.knownEpoch = await this.group.epoch(); // one reset, however many signs of it
  }

  private async watchEpoch(): Promise<void> {
    const seen = await this.group.epoch();
    const known = this.knownEpoch;
    this.knownEpoch = seen;
    if (known === undefined || known === null || seen === known) return;
    await this.startGroupOver(seen === null ? 'epoch-missing' : 'epoch-changed');
  }

  private async claimIdle(): Promise<void> {
    let start = '0-0';
    let total = 0;
    do {
      const claimed = await this.group.claimIdle(start);
      if (claimed.entries.length > 0) this.deps.logger.info('claimed idle entries', { count: claimed.entries.length });
      total += claimed.entries.length;
      await this.handler.handle(claimed);
      start = claimed.next;
    } while (start !== '0-0' && !this.stopping);
    this.observer.claimRound(total);
  }
}
