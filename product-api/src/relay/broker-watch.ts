import type { Logger, RedisClient } from '@stockstream/platform';
import { RecurringFailure } from '@stockstream/platform';
import type { ProductDb } from '@stockstream/prisma/product';
import { findLoss, loadRelayState, startStreamOver } from './broker-epoch';
import type { LossReason, RelayState } from './broker-epoch';

export interface BrokerObserver {
  brokerReset(reason: LossReason): void;
  /** Dead letters a broker reset took with it (they live only in Redis). */
  deadLettersLost(count: number): void;
}

/**
 * Notices that Redis lost the stream (checked when Redis connects, periodically, and whenever a publish
 * finds the epoch marker changed) and starts it over from the outbox, with no operator. Reports itself
 * recovering until the republished events are out.
 */
export class BrokerWatch {
  private state: RelayState | undefined;
  private checking: Promise<void> | undefined;
  private recovering: { reason: LossReason; since: number } | undefined;
  private readonly checks: RecurringFailure;

  constructor(
    private readonly db: ProductDb,
    private readonly redis: RedisClient,
    private readonly streams: { stream: string; deadLetterStream: string },
    private readonly lockKey: number,
    private readonly logger: Logger,
    private readonly observer: BrokerObserver | undefined,
    /** Publish the republished events now. */
    private readonly kick: () => void,
  ) {
    this.checks = new RecurringFailure(
      logger,
      'could not check the stream for lost data; will retry',
      'checking the stream for lost data again',
    );
  }

  /** The recorded state, loaded (or made) on first use. */
  private get stream(): string {
    return this.streams.stream;
  }

  async relayState(): Promise<RelayState> {
    this.state ??= await loadRelayState(this.db, this.redis, this.stream, this.lockKey);
    return this.state;
  }

  /** The recorded state if it is loaded, without a round trip: for a caller holding the relay lock, which making it would wait for. */
  get loadedState(): RelayState | undefined {
    return this.state;
  }

  health(): { ok: true } | { ok: false; detail: string } {
    return this.recovering
      ? { ok: false, detail: `republishing the outbox after a broker reset (${this.recovering.reason})` }
      : { ok: true };
  }

  /** Called by the relay when its backlog is empty: a recovery in progress is then done. */
  drained(): void {
    if (!this.recovering) return;
    this.logger.info('broker recovered: every retained outbox event is republished', {
      reason: this.recovering.reason,
      ms: Date.now() - this.recovering.since,
    });
    this.recovering = undefined;
  }

  /** One check at a time; calls during a check wait for it. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    if (!this.redis.isReady) return;
    await this.checks.attempt(() => this.repairLoss());
  }

  private async repairLoss(): Promise<void> {
    // Fresh from Postgres: another relay may have started the stream over already.
    const state = (this.state = await loadRelayState(this.db, this.redis, this.stream, this.lockKey));
    const loss = await findLoss(this.redis, this.stream, state);
    if (!loss) {
      await this.recordDeadLetters(state);
      return;
    }
    this.logger.error('the stream lost data (broker reset); republishing the retained outbox', { stream: this.stream, ...loss });
    this.observer?.brokerReset(loss.reason);
    this.recovering = { reason: loss.reason, since: Date.now() };
    const result = await startStreamOver(this.db, this.redis, this.streams, this.lockKey);
    this.state = (await this.db.relayState.findUnique({ where: { stream: this.stream } })) ?? undefined;
    if (result) this.reportStartedOver(result);
    this.kick();
  }

  private reportStartedOver({ republished, deadLettersLost }: { republished: number; deadLettersLost: number }): void {
    this.logger.info('outbox marked for republishing', { events: republished, deadLettersLost });
    if (deadLettersLost === 0) return;
    this.observer?.deadLettersLost(deadLettersLost);
    this.logger.error('the broker reset lost dead letters; run `npm run reconcile -- --repair` to restore their products', {
      deadLetterStream: this.streams.deadLetterStream,
      deadLettersLost,
    });
  }

  /** Keeps what the relay knows of the dead-letter stream's length, for the next reset to count from. */
  private async recordDeadLetters(state: RelayState): Promise<void> {
    const length = BigInt(await this.redis.xLen(this.streams.deadLetterStream));
    if (length === state.deadLettersSeen) return;
    await this.db.relayState.update({ where: { stream: this.stream }, data: { deadLettersSeen: length } });
    state.deadLettersSeen = length;
  }
}
