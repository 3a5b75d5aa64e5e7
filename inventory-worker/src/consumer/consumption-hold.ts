import type { ConsumptionState } from '@stockstream/contracts';
import { ConsumptionSwitch } from '@stockstream/inventory-core';
import type { Logger, RedisClient } from '@stockstream/platform';
import { errorMessage } from '@stockstream/platform';
import type { ConsumerObserver, ConsumerOptions } from './consumer-options';
import { KillSwitch } from './kill-switch';
import type { Trip } from './kill-switch';

/**
 * Whether this worker holds: consumption paused by an operator (read from Redis once a claim interval),
 * or by the kill switch (at once, and recorded in Redis for every worker). Says so once when a pause
 * starts and once when it ends.
 */
export class ConsumptionHold {
  readonly killSwitch: KillSwitch;
  private readonly consumption: ConsumptionSwitch;
  private state: ConsumptionState | undefined;

  constructor(
    redis: RedisClient,
    private readonly options: ConsumerOptions,
    private readonly logger: Logger,
    private readonly observer: ConsumerObserver,
  ) {
    this.consumption = new ConsumptionSwitch(redis, options.stream);
    this.killSwitch = new KillSwitch(options.killSwitch);
  }

  get paused(): boolean {
    return this.state !== undefined;
  }

  /** The pause in force, with its reason, actor and time. */
  get pause(): ConsumptionState | undefined {
    return this.state;
  }

  /** Reads whether consumption is paused. */
  async look(): Promise<void> {
    const state = await this.consumption.state();
    const was = this.state;
    this.state = state.paused ? state : undefined;
    this.observer.paused(state.paused);
    if (state.paused && !was) {
      this.logger.warn('consumption paused; holding pending entries, reading nothing', {
        reason: state.reason,
        by: state.by,
        since: state.at,
      });
    } else if (!state.paused && was) {
      this.killSwitch.reset();
      this.logger.info('consumption resumed', { pausedSince: was.at });
    }
  }

  /**
   * Most applies failed for a reason of their own: pauses consumption for every worker (the first to trip
   * names the reason), here at once, rather than retry and dead-letter the whole backlog.
   */
  trip({ failed, total, error }: Trip): void {
    if (this.state) return;
    const reason = `kill switch: ${failed} of ${total} applies failed in ${this.options.killSwitch.windowMs / 1000} s (${error})`;
    const by = `worker ${this.options.consumer}`;
    this.state = { paused: true, reason, by, at: new Date().toISOString() };
    this.observer.killSwitchTripped();
    this.observer.paused(true);
    this.logger.error('most applies fail: pausing consumption; fix the cause, then resume', { failed, total, error });
    // Should the write fail, the next look undoes this pause, and the switch trips again.
    this.consumption
      .pause({ reason, by })
      .catch((writeError: unknown) => this.logger.warn('could not record the pause in Redis', { error: errorMessage(writeError) }));
  }
}
