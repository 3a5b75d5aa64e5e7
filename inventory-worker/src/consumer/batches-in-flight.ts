/**
 * The batches the loop has handed off while it reads the next: at most `limit` at once, so that entries
 * that arrive while a batch is being applied are read and applied beside it, on another connection,
 * instead of waiting for it. Batches in flight together are as safe as batches of two workers: they lock
 * their products (ADR 4). A batch's failure is kept and thrown into the loop by the next call that
 * waits, as if the batch had been handled in line.
 */
export class BatchesInFlight {
  private readonly running = new Set<Promise<void>>();
  private failures: unknown[] = [];

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.running.size;
  }

  /** Takes a batch being handled; returns once fewer than `limit` are in flight. */
  async add(handling: Promise<void>): Promise<void> {
    const tracked: Promise<void> = handling
      .catch((error: unknown) => {
        this.failures.push(error);
      })
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.throwFirstFailure();
  }

  /** Waits for every batch in flight; throws the first failure among them (the others are dropped). */
  async settle(): Promise<void> {
    await Promise.all(this.running);
    this.throwFirstFailure();
  }

  private throwFirstFailure(): void {
    const [first] = this.failures;
    const failed = this.failures.length > 0;
    this.failures = [];
    if (failed) throw first;
  }
}
