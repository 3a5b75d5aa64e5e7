/** When the workers stop themselves: above `failureRatio` of at least `minEvents` applies in `windowMs`. */
export interface KillSwitchOptions {
  failureRatio: number;
  minEvents: number;
  windowMs: number;
}

export interface Trip {
  failed: number;
  total: number;
  /** One of the failures' errors, for whoever finds consumption paused. */
  error: string;
}

const BUCKET_MS = 1_000;

/**
 * Counts applies that succeeded and applies that failed for a reason of their own (the database answers:
 * a bad deploy, a dropped column, a revoked privilege), in one-second buckets over a sliding window, and
 * says when most of them fail: then the workers pause consumption by themselves instead of dead-lettering
 * the backlog. Events held through an outage are not counted; one poison event among healthy ones is far
 * below the ratio.
 */
export class KillSwitch {
  private readonly buckets: { second: number; ok: number; failed: number }[];
  private lastError = '';

  constructor(private readonly options: KillSwitchOptions) {
    this.buckets = Array.from({ length: Math.max(1, Math.ceil(options.windowMs / BUCKET_MS)) }, () => ({ second: -1, ok: 0, failed: 0 }));
  }

  /** A batch's applies; answers the trip when this one crossed the line. */
  record(ok: number, failed: number, error?: string, now = Date.now()): Trip | undefined {
    if (ok + failed === 0) return undefined;
    const second = Math.floor(now / BUCKET_MS);
    const bucket = this.buckets[second % this.buckets.length]!;
    if (bucket.second !== second) Object.assign(bucket, { second, ok: 0, failed: 0 });
    bucket.ok += ok;
    bucket.failed += failed;
    if (error !== undefined) this.lastError = error;
    if (failed === 0) return undefined;
    const oldest = second - this.buckets.length + 1;
    let total = 0;
    let failures = 0;
    for (const { second: at, ok: good, failed: bad } of this.buckets) {
      if (at < oldest) continue;
      total += good + bad;
      failures += bad;
    }
    return total >= this.options.minEvents && failures / total > this.options.failureRatio
      ? { failed: failures, total, error: this.lastError }
      : undefined;
  }

  /** Forgets the window: after a resume, the old failures are the operator's to have fixed. */
  reset(): void {
    for (const bucket of this.buckets) Object.assign(bucket, { second: -1, ok: 0, failed: 0 });
  }
}
