import { parseStreamFields } from '@stockstream/contracts';
import type { DeadLetterReason } from '@stockstream/contracts';
import type { ProductEvent } from '@stockstream/contracts';
import { applyProductEvents } from '@stockstream/inventory-core';
import type { Logger } from '@stockstream/platform';
import { errorMessage, runWithContext, tracingEnabled } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import type { Claimed, ConsumerGroup } from './consumer-group';
import type { ConsumerObserver, ConsumerOptions } from './consumer-options';
import type { KillSwitch, Trip } from './kill-switch';
import { BatchTrace } from './batch-trace';
import { databaseAnswers, waitForDatabase } from './database-outage';
import { sendToDeadLetters } from './dead-letters';
import type { DeadLetterWriter } from './dead-letters';
import type { EntriesInHand } from './entries-in-hand';
import type { StreamEntry } from './stream-entry';
import type { Result } from './event-result';

interface Delivered {
  event: ProductEvent;
  streamId: string;
  entry: StreamEntry;
}

/** What every log line about an event carries: the event, its stream entry, and the request that caused it. */
const eventContext = ({ event, streamId }: Delivered) => ({
  eventId: event.id,
  streamId,
  requestId: event.correlationId,
});

export interface BatchHandlerDeps {
  /** Told of each batch's applies; answers a trip when most of them fail. */
  killSwitch: KillSwitch;
  tripped: (trip: Trip) => void;
  db: InventoryDb;
  group: ConsumerGroup;
  entriesInHand: EntriesInHand;
  writeDeadLetter: DeadLetterWriter;
  logger: Logger;
  observer: ConsumerObserver;
  options: ConsumerOptions;
  stopping: () => boolean;
}

/**
 * Handles one batch, however it was delivered (read, re-read or claimed): invalid entries go to the
 * dead-letter stream at once; the rest are applied in one transaction, split in halves only when it
 * fails, so that an event that cannot be applied costs the others a few transactions, not a redo one
 * by one. Applied entries are acknowledged after commit. A failed entry is left pending and not kept
 * fresh: a claim retries it after claimIdleMs, with the stream's delivery count, until maxDeliveries.
 */
export class BatchHandler {
  private databaseDown = false;
  private probes = 0;

  constructor(private readonly deps: BatchHandlerDeps) {}

  get waitingForDatabase(): boolean {
    return this.databaseDown;
  }

  /** Times it asked the database whether it is back and found it still away, since it started. */
  get databaseProbes(): number {
    return this.probes;
  }

  async handle({ entries, deletedIds }: Claimed): Promise<void> {
    await this.deadLetterTrimmed(deletedIds);
    if (entries.length === 0) return;
    const started = performance.now();
    await this.deps.entriesInHand.holding(
      entries.map((entry) => entry.id),
      async () => {
        const valid: Delivered[] = [];
        const invalid: { entry: StreamEntry; error: string; eventId?: string }[] = [];
        for (const entry of entries) {
          const parsed = parseStreamFields(entry.fields);
          if (parsed.ok) valid.push({ event: parsed.event, streamId: entry.id, entry });
          else invalid.push({ entry, error: parsed.error, eventId: parsed.eventId });
        }
        const traced = tracingEnabled() && valid.length > 0 ? new BatchTrace(valid, this.deps.options) : undefined;
        const results = traced ? await traced.run(() => this.applyIsolating(valid)) : await this.applyIsolating(valid);
        traced?.finish(results);
        this.countForKillSwitch(results);
        await this.deps.group.acknowledge(valid.filter((_, i) => 'applied' in (results[i] ?? {})).map((item) => item.streamId));
        valid.forEach((item, i) => this.report(item, results[i] ?? { held: true }, traced?.fieldsOf(i)));
        for (const { entry, error, eventId } of invalid) {
          await runWithContext({ eventId, streamId: entry.id }, () => this.deadLetter(entry, 'invalid', error));
        }
        for (const [i, item] of valid.entries()) {
          const result = results[i];
          if (result && 'failed' in result) {
            await runWithContext({ ...eventContext(item), ...traced?.fieldsOf(i) }, () => this.failed(item, result.failed));
          }
        }
      },
    );
    this.deps.observer.batch(performance.now() - started);
  }

  /**
   * Pending entries whose message was trimmed from the stream before it was applied: nothing can apply
   * them, so they are acknowledged and dead-lettered (reason trimmed, with the id) rather than left
   * pending for ever. Reconcile repairs their products.
   */
  private async deadLetterTrimmed(ids: string[]): Promise<void> {
    for (const id of ids) {
      await runWithContext({ streamId: id }, () =>
        this.deadLetter({ id, fields: {} }, 'trimmed', 'the entry was trimmed from the stream before it was applied'),
      );
    }
  }

  /** With the entry's delivery count as the stream keeps it, unless the caller has it already. */
  private async deadLetter(entry: StreamEntry, reason: DeadLetterReason, error: string, deliveries?: number): Promise<void> {
    await sendToDeadLetters(this.deps.writeDeadLetter, this.deps, entry, {
      reason,
      error,
      deliveries: deliveries ?? (await this.deps.group.deliveries(entry.id)),
    });
  }

  private countForKillSwitch(results: Result[]): void {
    let ok = 0;
    let failed = 0;
    let error: string | undefined;
    for (const result of results) {
      if ('applied' in result) ok++;
      else if ('failed' in result) {
        failed++;
        error ??= errorMessage(result.failed);
      }
    }
    const trip = this.deps.killSwitch.record(ok, failed, error);
    if (trip) this.deps.tripped(trip);
  }

  private report(item: Delivered, result: Result, traceIds: { trace_id?: string; span_id?: string } | undefined): void {
    if ('applied' in result) {
      // The context handed to the line, not entered: entering the storage turns on promise hooks for the
      // whole process (docs/decisions/0007); the paths that fail an event enter it, since lines deep
      // inside them need it.
      // Added to the context's object, not spread from it into a new one: V8 builds a spread's object on a
      // slower path, and under load that kept a part of each event's objects alive into the old
      // generation (bench/history/2026-11-performance-notebook.md, "The write p99 is set by the full collections").
      this.deps.logger.info(
        'event handled',
        Object.assign(
          eventContext(item),
          { type: item.event.type, outcome: result.applied, productId: item.event.data.productId },
          traceIds,
        ),
      );
      this.deps.observer.handled(item.event.type, result.applied);
    } else if ('held' in result) {
      this.deps.observer.handled(item.event.type, 'held');
    }
  }

  /** One transaction for the batch; on failure, halves, down to the events that fail alone. */
  private async applyIsolating(batch: Delivered[]): Promise<Result[]> {
    if (batch.length === 0) return [];
    for (;;) {
      try {
        const applied = await applyProductEvents(this.deps.db, batch, this.deps.options.initialStock);
        return applied.map((outcome) => ({ applied: outcome }));
      } catch (error) {
        if (await databaseAnswers(this.deps.db)) {
          if (batch.length === 1) return [{ failed: error }];
          const middle = Math.ceil(batch.length / 2);
          return [...(await this.applyIsolating(batch.slice(0, middle))), ...(await this.applyIsolating(batch.slice(middle)))];
        }
        // An outage is not the events' fault: hold them (kept fresh, no delivery spent) until it ends.
        if (!(await this.waitOutOutage())) return batch.map(() => ({ held: true }));
      }
    }
  }

  private async waitOutOutage(): Promise<boolean> {
    if (!this.databaseDown) this.deps.logger.error('database unreachable; holding entries pending until it answers');
    this.databaseDown = true;
    const back = await waitForDatabase(this.deps.db, this.deps.stopping, () => this.probes++);
    // With batches in flight several may wait out one outage: the first back says it ended.
    if (back && this.databaseDown) {
      this.deps.logger.info('database answers again; resuming');
      this.databaseDown = false;
    }
    return back;
  }

  private async failed(item: Delivered, error: unknown): Promise<void> {
    const { maxDeliveries, claimIdleMs } = this.deps.options;
    const deliveries = await this.deps.group.deliveries(item.streamId);
    if (deliveries >= maxDeliveries) {
      await this.deadLetter(item.entry, 'max-deliveries', errorMessage(error), deliveries);
      return;
    }
    this.deps.entriesInHand.release([item.streamId]);
    this.deps.logger.warn('event failed; a claim will retry it', {
      type: item.event.type,
      deliveries,
      retryInMs: claimIdleMs,
      error: errorMessage(error),
    });
    this.deps.observer.handled(item.event.type, 'retried');
  }
}
