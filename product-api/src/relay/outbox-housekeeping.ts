import type { Logger, RedisClient } from '@stockstream/platform';
import { RecurringFailure } from '@stockstream/platform';
import type { SqlPool } from '@stockstream/prisma';
import type { RelayObserver } from './outbox-metrics';
import { trimSafely } from './stream-trimmer';

/**
 * Housekeeping around the relay: outbox rows the stream's mark has passed are deleted once older than the
 * retention; the stream is trimmed below what every consumer group is done with. Each failure is logged
 * when it starts and when it ends, and tried again at the next turn.
 */
export class OutboxHousekeeping {
  private readonly deleting: RecurringFailure;
  private readonly trimming: RecurringFailure;

  constructor(
    private readonly sql: SqlPool,
    private readonly redis: RedisClient,
    private readonly options: { stream: string; maxLen: number; retentionMs: number },
    private readonly logger: Logger,
    private readonly observer?: RelayObserver,
  ) {
    this.deleting = new RecurringFailure(
      logger,
      'could not delete published outbox rows; will retry',
      'deleting published outbox rows again',
    );
    this.trimming = new RecurringFailure(logger, 'could not trim the stream; will retry', 'trimming the stream again');
  }

  /** Rows the stream's mark has passed, once older than the retention. */
  async deletePublished(): Promise<void> {
    await this.deleting.attempt(() =>
      this.sql.query(
        `DELETE FROM outbox USING relay_state mark
         WHERE mark.stream = $1 AND outbox.created_at < $2
           AND (outbox.txid, outbox.position) <= (mark.published_txid, mark.published_position)`,
        [this.options.stream, new Date(Date.now() - this.options.retentionMs)],
      ),
    );
  }

  async trim(): Promise<void> {
    if (!this.redis.isReady) return;
    await this.trimming.attempt(async () => {
      const { droppedUnread } = await trimSafely(this.redis, this.options.stream, this.options.maxLen, this.logger);
      this.observer?.droppedUnread(droppedUnread);
    });
  }
}
