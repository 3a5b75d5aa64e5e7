import type { Logger } from '@stockstream/platform';

const FIRST_LOOK_MS = 2;
const WARN_AFTER_MS = 10_000;

/** A 64-bit transaction id (xid8) as pg_stat_activity.backend_xid shows it: its low 32 bits. */
const backendXid = (txid: string) => String(BigInt(txid) & 0xffff_ffffn);

/**
 * Outbox rows committed while an older transaction still runs wait for it to end (the relay publishes
 * below the oldest one, the horizon). Its end may kick no relay (a transaction of another process or
 * database), so the relay looks again: soon at first, then, while the same transaction holds the horizon,
 * half as often each time, up to a maximum (the sweep's interval or a second). A wait of more than ten
 * seconds on one transaction (a long one somewhere in the cluster) is logged when it is noticed and when
 * it ends.
 */
export class HeldBack {
  private horizon: string | undefined;
  private since = 0;
  private delayMs = FIRST_LOOK_MS;
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(
    private readonly logger: Logger,
    private readonly maxDelayMs: number,
    private readonly kick: () => void,
  ) {}

  /** Whether committed rows wait behind an older transaction, as the last pass found. */
  get waiting(): boolean {
    return this.horizon !== undefined;
  }

  /** After a pass that left nothing it could publish: `held` when committed rows wait behind `horizon`. */
  passed(held: boolean, horizon: string): void {
    if (!held) return this.released();
    const now = Date.now();
    if (horizon !== this.horizon) {
      this.released();
      this.horizon = horizon;
      this.since = now;
    } else if (!this.warned && now - this.since >= WARN_AFTER_MS) {
      this.warned = true;
      this.logger.warn('outbox events wait for a long transaction to end', { backendXid: backendXid(horizon), ms: now - this.since });
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.delayMs);
    this.timer.unref();
    this.delayMs = Math.min(this.delayMs * 2, this.maxDelayMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private released(): void {
    if (this.warned) this.logger.info('the long transaction ended; outbox events flow again', { ms: Date.now() - this.since });
    this.stop();
    this.horizon = undefined;
    this.delayMs = FIRST_LOOK_MS;
    this.warned = false;
  }
}
