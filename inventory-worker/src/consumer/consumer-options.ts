import type { Applied } from '@stockstream/inventory-core';
import type { KillSwitchOptions } from './kill-switch';

export interface ConsumerOptions {
  stream: string;
  group: string;
  deadLetterStream: string;
  /** Unique per process: a restart is a new consumer, and its predecessor's entries are claimed. */
  consumer: string;
  batchSize: number;
  /** Batches applied at once by this consumer: the loop reads the next while one is being applied. */
  batchesInFlight: number;
  blockMs: number;
  /**
   * An entry pending this long without being kept fresh is taken over by a claim: its consumer died, or
   * it failed and waits for its retry. Entries in hand are kept fresh, so a slow batch is not taken.
   */
  claimIdleMs: number;
  /** How often the loop claims such entries. */
  claimIntervalMs: number;
  /** Deliveries (the stream's own count) after which a failing entry goes to the dead-letter stream. */
  maxDeliveries: number;
  initialStock: number;
  /** Consumers of the group idle this long with nothing pending are removed. */
  consumerIdleMs: number;
  /** The consumer reports itself unhealthy when no read completed for this long. */
  readStallMs: number;
  /** How long applied event ids and deleted products' tombstones are kept, and how often they are pruned. */
  processedEventsRetentionMs: number;
  tombstoneRetentionMs: number;
  pruneIntervalMs: number;
  /** When the workers pause consumption by themselves, most applies failing (KILL_SWITCH_*). */
  killSwitch: KillSwitchOptions;
}

export type Outcome = Applied | 'retried' | 'dead-lettered' | 'held';

/** What the consumer reports as it goes, for metrics. */
export interface ConsumerObserver {
  handled(type: string, outcome: Outcome): void;
  batch(durationMs: number): void;
  read(): void;
  loopError(): void;
  /** The kill switch paused consumption: most applies failed for a reason that is not an outage. */
  killSwitchTripped(): void;
  /** Whether consumption is paused, each time the loop looks. */
  paused(paused: boolean): void;
  /** A round of claiming idle entries is done; `claimed` entries were taken (0 most of the time). */
  claimRound(claimed: number): void;
  /** Redis lost the stream or the group: found by a missing group or a changed epoch marker. */
  brokerReset(reason: 'group-missing' | 'epoch-missing' | 'epoch-changed'): void;
}

export const quietObserver: ConsumerObserver = {
  handled() {},
  batch() {},
  read() {},
  loopError() {},
  killSwitchTripped() {},
  paused() {},
  claimRound() {},
  brokerReset() {},
};
