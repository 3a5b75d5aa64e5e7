import type { RedisClient } from '@stockstream/platform';
import { RecurringFailure } from '@stockstream/platform';
import type { Logger } from '@stockstream/platform';
import type { ConsumerOptions } from './consumer-options';

/**
 * The entries this consumer has in hand. While it works on them (a large batch, a database outage) it
 * re-claims them to itself every third of the claim threshold (XCLAIM JUSTID: idle time reset, delivery
 * count kept), so that the threshold singles out entries whose consumer is gone, never slow ones.
 */
export class EntriesInHand {
  private readonly ids = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly refreshes: RecurringFailure;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: ConsumerOptions,
    logger: Logger,
  ) {
    // The next tick tries again; entries only risk being claimed (and applied idempotently) elsewhere.
    this.refreshes = new RecurringFailure(
      logger,
      'could not keep entries in hand fresh; will retry',
      'keeping entries in hand fresh again',
    );
  }

  start(): void {
    this.timer = setInterval(() => void this.keepFresh(), Math.max(10, Math.floor(this.options.claimIdleMs / 3)));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async holding<T>(ids: string[], work: () => Promise<T>): Promise<T> {
    for (const id of ids) this.ids.add(id);
    try {
      return await work();
    } finally {
      for (const id of ids) this.ids.delete(id);
    }
  }

  /** Takes ids out early: a failed entry is left to go idle, so that a claim retries it. */
  release(ids: string[]): void {
    for (const id of ids) this.ids.delete(id);
  }

  private async keepFresh(): Promise<void> {
    if (this.ids.size === 0) return;
    const { stream, group, consumer } = this.options;
    await this.refreshes.attempt(() => this.redis.xClaimJustId(stream, group, consumer, 0, [...this.ids]));
  }
}
