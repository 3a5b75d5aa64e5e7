/** How failed sign-ins from one address are slowed: free at first, then a wait that doubles, up to a cap. */
export interface ThrottleOptions {
  freeFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { freeFailures: 5, firstDelayMs: 1000, maxDelayMs: 60_000, windowMs: 15 * 60_000 };

interface Failures {
  count: number;
  last: number;
  blockedUntil: number;
}

/**
 * Slows guessing of the admin key: after `freeFailures` failed sign-ins from one address, that address
 * must wait before it may try again (any key, right or wrong), twice as long after each further failure.
 * Kept in memory, per process: a restart forgets (the key's length is the real defence; this makes
 * guessing visible and slow).
 */
export class SignInThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Milliseconds the address must still wait before it may try; 0 when it may. */
  waitMs(address: string, now = Date.now()): number {
    const entry = this.current(address, now);
    return entry ? Math.max(0, entry.blockedUntil - now) : 0;
  }

  /** Counts a failure; answers the failures in the window. */
  failed(address: string, now = Date.now()): number {
    const entry = this.current(address, now) ?? { count: 0, last: now, blockedUntil: 0 };
    entry.count++;
    entry.last = now;
    const over = entry.count - this.options.freeFailures;
    if (over > 0) entry.blockedUntil = now + Math.min(this.options.maxDelayMs, this.options.firstDelayMs * 2 ** (over - 1));
    this.failures.set(address, entry);
    if (this.failures.size > 10_000) this.forgetOld(now);
    return entry.count;
  }

  /** Whether a failure count is one to log: the first that is slowed, then every tenth. */
  worthAWarning(failures: number): boolean {
    const over = failures - this.options.freeFailures;
    return over > 0 && (over - 1) % 10 === 0;
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }

  private current(address: string, now: number): Failures | undefined {
    const entry = this.failures.get(address);
    if (entry && now - entry.last > this.options.windowMs) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }

  private forgetOld(now: number): void {
    for (const [address, entry] of this.failures) if (now - entry.last > this.options.windowMs) this.failures.delete(address);
  }
}
