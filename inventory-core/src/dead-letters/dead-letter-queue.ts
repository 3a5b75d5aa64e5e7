import type { DeadLetter } from '@stockstream/contracts';
import { DeadLetterFields, DeadLetterId } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';
import { replayLetter } from './replay-letter';
import type { ReplayOutcome } from './replay-letter';

export interface DeadLetterFilter {
  reason?: string;
  type?: string;
  limit?: number;
}

export interface DeadLetterStats {
  total: number;
  byReason: Record<string, number>;
  byType: Record<string, number>;
  oldestFailedAt: string | null;
  oldestAgeSeconds: number | null;
}

const PAGE = 500;

/** Whether a letter is of the filter's reason and type (each when given). */
const matches = (letter: DeadLetter, { reason, type }: Omit<DeadLetterFilter, 'limit'>) =>
  (reason === undefined || letter.reason === reason) && (type === undefined || letter.type === type);

function toDeadLetter(id: string, message: Record<string, string>): DeadLetter {
  const parsed = DeadLetterFields.safeParse(message);
  const fields = parsed.success ? parsed.data : undefined;
  let original: Record<string, unknown>;
  try {
    original = JSON.parse(message.fields ?? '{}') as Record<string, unknown>;
    if (typeof original.data === 'string') {
      try {
        original = { ...original, data: JSON.parse(original.data) as unknown };
      } catch {
        // data that is not JSON is shown as it is
      }
    }
  } catch {
    original = { raw: message.fields };
  }
  return {
    id,
    originalId: message.originalId ?? '',
    originalStream: message.originalStream ?? '',
    group: message.group ?? '',
    consumer: message.consumer ?? '',
    reason: message.reason ?? 'unknown',
    error: message.error ?? '',
    deliveries: fields?.deliveries ?? Number(message.deliveries ?? 0),
    failedAt: message.failedAt ?? '',
    ...(message.eventId === undefined ? {} : { eventId: message.eventId }),
    ...(message.type === undefined ? {} : { type: message.type }),
    original,
  };
}

/** What operators do with the dead-letter stream, for the CLI and the admin routes alike. */
export class DeadLetterQueue {
  constructor(
    private readonly redis: RedisClient,
    readonly deadLetterStream: string,
    readonly productStream: string,
  ) {}

  /** Oldest first, filtered by reason and type, at most `limit`. */
  async list({ limit = 100, ...filter }: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const found: DeadLetter[] = [];
    for await (const letter of this.all()) {
      if (!matches(letter, filter)) continue;
      found.push(letter);
      if (found.length >= limit) break;
    }
    return found;
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    DeadLetterId.parse(id);
    const [entry] = (await this.redis.xRange(this.deadLetterStream, id, id)) ?? [];
    return entry ? toDeadLetter(entry.id, { ...entry.message }) : undefined;
  }

  /**
   * Puts each back on the product stream (same fields, same event id) and removes it from here, one at a
   * time, going past the unknown and the unreplayable: the outcome of each, in order.
   */
  async replay(ids: string[]): Promise<ReplayOutcome[]> {
    const outcomes: ReplayOutcome[] = [];
    for (const id of ids) outcomes.push(await replayLetter(this.redis, this.deadLetterStream, this.productStream, id));
    return outcomes;
  }

  /** Replays every dead letter the filter matches, a page at a time as it walks the stream. */
  async replayAll(filter: Omit<DeadLetterFilter, 'limit'> = {}): Promise<ReplayOutcome[]> {
    const outcomes: ReplayOutcome[] = [];
    for await (const letter of this.all()) {
      if (!matches(letter, filter)) continue;
      outcomes.push(await replayLetter(this.redis, this.deadLetterStream, this.productStream, letter.id));
    }
    return outcomes;
  }

  /** Removes the given entries; returns the ids that were there. */
  async purge(ids: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const id of ids) DeadLetterId.parse(id);
    for (const id of ids) if ((await this.redis.xDel(this.deadLetterStream, id)) > 0) removed.push(id);
    return removed;
  }

  async purgeAll(): Promise<number> {
    const length = await this.redis.xLen(this.deadLetterStream);
    await this.redis.del(this.deadLetterStream);
    return length;
  }

  async length(): Promise<number> {
    return this.redis.xLen(this.deadLetterStream);
  }

  async stats(now = Date.now()): Promise<DeadLetterStats> {
    const stats: DeadLetterStats = { total: 0, byReason: {}, byType: {}, oldestFailedAt: null, oldestAgeSeconds: null };
    for await (const letter of this.all()) {
      stats.total++;
      stats.byReason[letter.reason] = (stats.byReason[letter.reason] ?? 0) + 1;
      const type = letter.type ?? 'unknown';
      stats.byType[type] = (stats.byType[type] ?? 0) + 1;
      if (stats.oldestFailedAt === null || letter.failedAt < stats.oldestFailedAt) stats.oldestFailedAt = letter.failedAt;
    }
    if (stats.oldestFailedAt !== null) stats.oldestAgeSeconds = Math.max(0, Math.round((now - Date.parse(stats.oldestFailedAt)) / 1000));
    return stats;
  }

  /**
   * Follows the stream live: calls `onLetter` for each dead letter added from now on, until `signal`
   * aborts. `onWatching` is called once the start is fixed: every letter added after that call is
   * reported. A blocking read needs a connection of its own: pass one that nothing else uses.
   */
  async watch(reader: RedisClient, onLetter: (letter: DeadLetter) => void, signal: AbortSignal, onWatching: () => void): Promise<void> {
    // From the last entry there is now (0-0 when the stream is not there yet), so that nothing added
    // between two reads is missed, as re-reading from "$" would.
    const info = (await this.redis.exists(this.deadLetterStream)) ? await this.redis.xInfoStream(this.deadLetterStream) : undefined;
    let after = info ? String(info['last-generated-id']) : '0-0';
    onWatching();
    while (!signal.aborted) {
      const reply = (await reader.xRead({ key: this.deadLetterStream, id: after }, { BLOCK: 500, COUNT: 100 })) as
        { messages: { id: string; message: Record<string, string> }[] }[] | null;
      for (const entry of reply?.[0]?.messages ?? []) {
        after = entry.id;
        onLetter(toDeadLetter(entry.id, { ...entry.message }));
      }
    }
  }

  private async *all(): AsyncGenerator<DeadLetter> {
    let start = '-';
    for (;;) {
      const page = (await this.redis.xRange(this.deadLetterStream, start, '+', { COUNT: PAGE })) ?? [];
      for (const entry of page) if (entry) yield toDeadLetter(entry.id, { ...entry.message });
      const last = page.at(-1);
      if (page.length < PAGE || !last) return;
      start = `(${last.id}`;
    }
  }
}
