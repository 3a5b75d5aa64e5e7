import type { DeadLetterJob } from '@stockstream/contracts';
import type { DeadLetterQueue } from '@stockstream/inventory-core';
import { errorMessage } from '@stockstream/platform';
import type { Logger } from '@stockstream/platform';
import { isUniqueViolation } from '@stockstream/prisma';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import type { AdminAudit } from './admin-audit';

type JobRow = NonNullable<Awaited<ReturnType<InventoryDb['deadLetterJob']['findUnique']>>>;

export class NoSuchCauseError extends Error {}

export class JobRunningError extends Error {
  constructor(readonly jobId: string) {
    super(`a job on this cause is running: ${jobId}`);
  }
}

export interface CauseJobOptions {
  /** Letters per page: one page is read, done and recorded before the next. */
  pageSize: number;
  /** A running job whose record has not moved for this long is taken over (its process is gone). */
  staleMs: number;
}

export const DEFAULT_CAUSE_JOB_OPTIONS: CauseJobOptions = { pageSize: 500, staleMs: 30_000 };

function toJob(row: JobRow): DeadLetterJob {
  return {
    id: row.id,
    kind: row.kind === 'purge' ? 'purge' : 'replay',
    cause: row.cause,
    status: row.status === 'done' ? 'done' : row.status === 'failed' ? 'failed' : 'running',
    actor: row.actor,
    total: row.total,
    processed: row.processed,
    succeeded: row.succeeded,
    skipped: row.skipped,
    error: row.error,
    startedAt: row.startedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Replays or purges every letter of one cause in the background, a page at a time (memory stays one
 * page whatever the count). The job's record in the inventory database holds its progress and the last
 * letter done, so a job outlives its process: on a clean stop the record is let go at once, after a crash
 * it goes stale; either way another process (or this one, restarted) takes it over and goes on from there.
 */
export class CauseJobs {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: InventoryDb,
    private readonly queue: DeadLetterQueue,
    private readonly audit: AdminAudit,
    private readonly logger: Logger,
    private readonly options: CauseJobOptions = DEFAULT_CAUSE_JOB_OPTIONS,
  ) {}

  /** Starts a job on a cause; refuses a cause without letters, and a second job on a cause while one runs. */
  async start(kind: 'replay' | 'purge', cause: string, actor: string): Promise<DeadLetterJob> {
    const upTo = await this.queue.newestOfCause(cause);
    const group = upTo === undefined ? undefined : await this.queue.group(cause);
    if (upTo === undefined || group === undefined) throw new NoSuchCauseError(`no dead letters of cause ${cause}`);
    let row: JobRow;
    try {
      row = await this.db.deadLetterJob.create({ data: { kind, cause, actor, total: group.count, upTo } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const other = await this.db.deadLetterJob.findFirst({ where: { cause, status: 'running' } });
      throw new JobRunningError(other?.id ?? 'unknown');
    }
    await this.audit.record({
      actor,
      action: `dead-letter.group-${kind}`,
      target: cause,
      count: group.count,
      outcome: 'started',
      detail: `job ${row.id}`,
    });
    this.run(row);
    return toJob(row);
  }

  async get(id: string): Promise<DeadLetterJob | undefined> {
    const row = await this.db.deadLetterJob.findUnique({ where: { id } });
    return row ? toJob(row) : undefined;
  }

  async recent(limit = 20): Promise<DeadLetterJob[]> {
    const rows = await this.db.deadLetterJob.findMany({ orderBy: { startedAt: 'desc' }, take: limit });
    return rows.map(toJob);
  }

  /** Takes over running jobs that no process moves, now and every staleMs/3. */
  startResuming(): void {
    void this.resumeAbandoned();
    this.sweep = setInterval(() => void this.resumeAbandoned(), Math.max(1000, this.options.staleMs / 3));
    this.sweep.unref();
  }

  async resumeAbandoned(): Promise<number> {
    try {
      const stale = new Date(Date.now() - this.options.staleMs);
      const candidates = await this.db.deadLetterJob.findMany({
        where: { status: 'running', updatedAt: { lt: stale } },
        select: { id: true },
      });
      let taken = 0;
      for (const { id } of candidates) {
        // Taken only if still stale: of two processes, one wins.
        const claimed = await this.db.deadLetterJob.updateMany({
          where: { id, status: 'running', updatedAt: { lt: stale } },
          data: { updatedAt: new Date() },
        });
        if (claimed.count === 0 || this.running.has(id)) continue;
        const row = await this.db.deadLetterJob.findUnique({ where: { id } });
        if (!row) continue;
        this.logger.info('dead-letter job resumed', { job: id, cause: row.cause, kind: row.kind, processed: row.processed });
        this.run(row);
        taken++;
      }
      return taken;
    } catch (error) {
      this.logger.warn('could not look for abandoned dead-letter jobs; will look again', { error: errorMessage(error) });
      return 0;
    }
  }

  /** Stops after the page in hand and lets the jobs go, so that the next process takes them over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweep) clearInterval(this.sweep);
    const ids = [...this.running.keys()];
    await Promise.allSettled(this.running.values());
    if (ids.length > 0) {
      await this.db.deadLetterJob.updateMany({ where: { id: { in: ids }, status: 'running' }, data: { updatedAt: new Date(0) } });
    }
  }

  /** Resolves once every job this process runs has stopped (for tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled(this.running.values());
  }

  private run(row: JobRow): void {
    const work = this.work(row)
      .catch(async (error: unknown) => {
        this.logger.error('dead-letter job failed', { job: row.id, cause: row.cause, error: errorMessage(error) });
        await this.db.deadLetterJob
          .update({
            where: { id: row.id },
            data: { status: 'failed', error: errorMessage(error).slice(0, 1000), finishedAt: new Date(), updatedAt: new Date() },
          })
          .catch(() => undefined);
      })
      .finally(() => this.running.delete(row.id));
    this.running.set(row.id, work);
  }

  private async work(row: JobRow): Promise<void> {
    let { after, processed, succeeded, skipped } = row;
    for (;;) {
      if (this.stopping) return;
      const ids = await this.queue.causeLetterIds(row.cause, { after: after ?? undefined, upTo: row.upTo, limit: this.options.pageSize });
      if (ids.length === 0) break;
      for (const id of ids) {
        const done =
          row.kind === 'purge' ? (await this.queue.purge([id])).length === 1 : (await this.queue.replay([id]))[0]?.outcome === 'replayed';
        if (done) succeeded++;
        else skipped++;
        processed++;
      }
      after = ids.at(-1) ?? after;
      await this.db.deadLetterJob.update({ where: { id: row.id }, data: { after, processed, succeeded, skipped, updatedAt: new Date() } });
    }
    await this.db.deadLetterJob.update({ where: { id: row.id }, data: { status: 'done', finishedAt: new Date(), updatedAt: new Date() } });
    await this.audit.record({
      actor: row.actor,
      action: `dead-letter.group-${row.kind}`,
      target: row.cause,
      count: succeeded,
      outcome: 'ok',
      detail: `job ${row.id}: ${succeeded} ${row.kind === 'purge' ? 'purged' : 'replayed'}, ${skipped} skipped`,
    });
  }
}
