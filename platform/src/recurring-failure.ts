import type { Logger } from './logger';
import { errorMessage } from './logger';

/**
 * The failures of a task that runs again and again (a sweep, a check, a publish): logged once when they
 * start and once when the task works again, never once per attempt, so that an outage of a dependency is
 * two lines however long it lasts.
 */
export class RecurringFailure {
  private failing: { since: number; attempts: number } | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly failedMessage: string,
    private readonly recoveredMessage: string,
  ) {}

  failed(error: unknown): void {
    if (this.failing) {
      this.failing.attempts++;
      return;
    }
    this.failing = { since: Date.now(), attempts: 1 };
    this.logger.warn(this.failedMessage, { error: errorMessage(error) });
  }

  succeeded(): void {
    if (!this.failing) return;
    this.logger.info(this.recoveredMessage, { failedAttempts: this.failing.attempts, ms: Date.now() - this.failing.since });
    this.failing = undefined;
  }

  /** Runs one attempt of the task and records how it went. */
  async attempt(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.succeeded();
    } catch (error) {
      this.failed(error);
    }
  }
}
