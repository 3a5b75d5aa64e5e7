import type { DeadLetter, DeadLetterGroup, DeadLetterPage } from '@stockstream/contracts';
import { DeadLetterFields, DeadLetterId } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';
import { DeadLetterIndexKeys, clearIndex, paddedId, reindex, unpaddedId } from './dead-letter-index';
import { causeOf } from './cause';
import { purgeLetter, replayLetter } from './letter-actions';
import type { LetterPlaces, ReplayOutcome } from './letter-actions';

/** What to list: every filter is optional; a cursor is the last id of the page before. */
export interface DeadLetterQuery {
  order?: 'newest' | 'oldest';
  limit?: number;
  cursor?: string;
  reason?: string;
  type?: string;
  productId?: string;
  eventId?: string;
  /** Text the error contains, any case. */
  q?: string;
  since?: Date;
  until?: Date;
  /** A cause id: read from the cause's own index, not the stream. */
  cause?: string;
}

export interface DeadLetterStats {
  total: number;
  byReason: Record<string, number>;
  byType: Record<string, number>;
  oldestFailedAt: string | null;
  oldestAgeSeconds: number | null;
}

/** The most entries one filtered page reads before it answers with what it found and a cursor to go on. */
export const SCAN_BUDGET = 5000;
const CHUNK = 500;

type Filter = Omit<DeadLetterQuery, 'order' | 'limit' | 'cursor' | 'since' | 'until' | 'cause'>;

const isFiltered = ({ reason, type, productId, eventId, q }: Filter) =>
  [reason, type, productId, eventId, q].some((value) => value !== undefined);

/** The product a letter's event is about, when its data says. */
export function productIdOf(letter: DeadLetter): string | undefined {
  const data = letter.original.data as { productId?: unknown } | undefined;
  return typeof data === 'object' && data !== null && typeof data.productId === 'string' ? data.productId : undefined;
}

function matches(letter: DeadLetter, { reason, type, productId, eventId, q }: Filter): boolean {
  return (
    (reason === undefined || letter.reason === reason) &&
    (type === undefined || letter.type === type) &&
    (eventId === undefined || letter.eventId === eventId) &&
    (productId === undefined || productIdOf(letter) === productId) &&
    (q === undefined || letter.error.toLowerCase().includes(q.toLowerCase()))
  );
}

/** When an entry id's letter was added: the id's milliseconds. */
const timeOf = (id: string) => new Date(Number(id.split('-')[0])).toISOString();

export function toDeadLetter(id: string, message: Record<string, string>): DeadLetter {
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
  const reason = message.reason ?? 'unknown';
  const error = message.error ?? '';
  return {
    id,
    originalId: message.originalId ?? '',
    originalStream: message.originalStream ?? '',
    group: message.group ?? '',
    consumer: message.consumer ?? '',
    reason,
    error,
    cause: message.cause ?? causeOf(reason, error).id,
    deliveries: fields?.deliveries ?? Number(message.deliveries ?? 0),
    failedAt: message.failedAt ?? '',
    ...(message.eventId === undefined ? {} : { eventId: message.eventId }),
    ...(message.type === undefined ? {} : { type: message.type }),
    original,
  };
}

/**
 * What operators do with the dead-letter stream, for the CLI and the admin routes alike. Counts and
 * causes come from the index kept beside the stream (dead-letter-index.ts); lists read one page of the
 * stream, or of a cause's index, at a time.
 */
export class DeadLetterQueue {
  readonly keys: DeadLetterIndexKeys;
  private readonly places: LetterPlaces;

  constructor(
    private readonly redis: RedisClient,
    readonly deadLetterStream: string,
    readonly productStream: string,
  ) {
    this.keys = new DeadLetterIndexKeys(deadLetterStream);
    this.places = { keys: this.keys, productStream };
  }

  /** One page, newest first unless order is oldest. */
  async list({ order = 'newest', limit = 100, cursor, since, until, cause, ...filter }: DeadLetterQuery = {}): Promise<DeadLetterPage> {
    if (cursor !== undefined) DeadLetterId.parse(cursor);
    if (cause !== undefined) return this.listCause(cause, { order, limit, cursor }, filter);
    const newest = order === 'newest';
    let lower = since ? String(since.getTime()) : '-';
    let upper = until ? String(until.getTime()) : '+';
    if (cursor !== undefined) {
      if (newest) upper = `(${cursor}`;
      else lower = `(${cursor}`;
    }
    const filtered = isFiltered(filter);
    const items: DeadLetter[] = [];
    let scanned = 0;
    for (;;) {
      const count = filtered ? CHUNK : limit - items.length + 1;
      const read = newest
        ? await this.redis.xRevRange(this.deadLetterStream, upper, lower, { COUNT: count })
        : await this.redis.xRange(this.deadLetterStream, lower, upper, { COUNT: count });
      const entries = (read ?? []).filter((entry) => entry !== null);
      for (const [index, entry] of entries.entries()) {
        scanned++;
        const letter = toDeadLetter(entry.id, { ...entry.message });
        if (matches(letter, filter)) items.push(letter);
        const more = index < entries.length - 1 || entries.length === count;
        if (items.length === limit || scanned >= SCAN_BUDGET) {
          return { items, nextCursor: more ? entry.id : null };
        }
      }
      const last = entries.at(-1);
      if (!last || entries.length < count) return { items, nextCursor: null };
      if (newest) upper = `(${last.id}`;
      else lower = `(${last.id}`;
    }
  }

  private async listCause(
    cause: string,
    { order, limit, cursor }: { order: 'newest' | 'oldest'; limit: number; cursor: string | undefined },
    filter: Filter,
  ): Promise<DeadLetterPage> {
    await this.ensureIndexed();
    const key = this.keys.causeLetters(cause);
    const from = cursor === undefined ? undefined : `(${paddedId(cursor)}`;
    const members =
      order === 'newest'
        ? await this.redis.zRange(key, from ?? '+', '-', { BY: 'LEX', REV: true, LIMIT: { offset: 0, count: limit + 1 } })
        : await this.redis.zRange(key, from ?? '-', '+', { BY: 'LEX', LIMIT: { offset: 0, count: limit + 1 } });
    const ids = members.slice(0, limit).map(unpaddedId);
    const letters = await Promise.all(ids.map((id) => this.get(id)));
    const items = letters.filter((letter): letter is DeadLetter => letter !== undefined && matches(letter, filter));
    return { items, nextCursor: members.length > limit ? (ids.at(-1) ?? null) : null };
  }

  /** Every letter the query matches, page by page (memory stays one page). */
  async *each(query: Omit<DeadLetterQuery, 'cursor' | 'limit'> = {}): AsyncGenerator<DeadLetter> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, cursor, limit: CHUNK });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
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
    for (const id of ids) outcomes.push(await replayLetter(this.redis, this.places, id));
    return outcomes;
  }

  /** Replays every letter the query matches, oldest first, a page at a time: the outcome of each as it goes. */
  async *replayEach(query: Omit<DeadLetterQuery, 'cursor' | 'limit' | 'order'> = {}): AsyncGenerator<ReplayOutcome> {
    for await (const letter of this.each({ ...query, order: 'oldest' })) yield await replayLetter(this.redis, this.places, letter.id);
  }

  /** Removes the given entries; returns the ids that were there. */
  async purge(ids: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const id of ids) DeadLetterId.parse(id);
    for (const id of ids) if (await purgeLetter(this.redis, this.places, id)) removed.push(id);
    return removed;
  }

  /** Deletes the stream and its index. */
  async purgeAll(): Promise<number> {
    const length = await this.redis.xLen(this.deadLetterStream);
    await this.redis.del(this.deadLetterStream);
    await clearIndex(this.redis, this.keys);
    return length;
  }

  async length(): Promise<number> {
    return this.redis.xLen(this.deadLetterStream);
  }

  /** Counts from the index, the oldest from the stream's first entry: no letter is read but that one. */
  async stats(now = Date.now()): Promise<DeadLetterStats> {
    await this.ensureIndexed();
    const [total, reasons, types, oldest] = await Promise.all([
      this.redis.xLen(this.deadLetterStream),
      this.redis.hGetAll(this.keys.reasons),
      this.redis.hGetAll(this.keys.types),
      this.redis.xRange(this.deadLetterStream, '-', '+', { COUNT: 1 }),
    ]);
    const counts = (hash: Record<string, string>) => Object.fromEntries(Object.entries(hash).map(([name, value]) => [name, Number(value)]));
    const first = oldest?.[0];
    const oldestFailedAt = first ? (first.message.failedAt ?? timeOf(first.id)) : null;
    return {
      total,
      byReason: counts(reasons),
      byType: counts(types),
      oldestFailedAt,
      oldestAgeSeconds: oldestFailedAt === null ? null : Math.max(0, Math.round((now - Date.parse(oldestFailedAt)) / 1000)),
    };
  }

  /** The causes, largest first. */
  async groups(): Promise<DeadLetterGroup[]> {
    await this.ensureIndexed();
    const ids = await this.redis.sMembers(this.keys.causes);
    const groups = await Promise.all(ids.map((id) => this.group(id)));
    return groups
      .filter((group): group is DeadLetterGroup => group !== undefined)
      .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
  }

  async group(id: string): Promise<DeadLetterGroup | undefined> {
    const letters = this.keys.causeLetters(id);
    const [fields, count, [first], [last]] = await Promise.all([
      this.redis.hGetAll(this.keys.cause(id)),
      this.redis.zCard(letters),
      this.redis.zRange(letters, 0, 0),
      this.redis.zRange(letters, -1, -1),
    ]);
    if (count === 0 || first === undefined || last === undefined) return undefined;
    const example = (await this.get(unpaddedId(first))) ?? null;
    const types: Record<string, number> = {};
    for (const [name, value] of Object.entries(fields)) if (name.startsWith('type:')) types[name.slice(5)] = Number(value);
    return {
      id,
      reason: fields.reason ?? 'unknown',
      fingerprint: fields.fingerprint ?? '',
      count,
      firstSeen: timeOf(unpaddedId(first)),
      lastSeen: timeOf(unpaddedId(last)),
      types,
      example,
    };
  }

  /** The ids of a cause's letters after `after` (exclusive) up to `upTo` (inclusive), oldest first. */
  async causeLetterIds(cause: string, { after, upTo, limit }: { after?: string; upTo: string; limit: number }): Promise<string[]> {
    const members = await this.redis.zRange(
      this.keys.causeLetters(cause),
      after === undefined ? '-' : `(${paddedId(after)}`,
      `[${paddedId(upTo)}`,
      { BY: 'LEX', LIMIT: { offset: 0, count: limit } },
    );
    return members.map(unpaddedId);
  }

  /** The newest letter id of a cause, if it has any. */
  async newestOfCause(cause: string): Promise<string | undefined> {
    await this.ensureIndexed();
    const [member] = await this.redis.zRange(this.keys.causeLetters(cause), -1, -1);
    return member === undefined ? undefined : unpaddedId(member);
  }

  /** Dead letters added per minute over the last `minutes` (oldest first), from the index's minute counters. */
  async perMinute(minutes = 60, now = Date.now()): Promise<{ minute: string; count: number }[]> {
    const last = Math.floor(now / 60_000);
    const epochMinutes = Array.from({ length: minutes }, (_, i) => last - minutes + 1 + i);
    const counts = await this.redis.mGet(epochMinutes.map((minute) => this.keys.minute(minute)));
    return epochMinutes.map((minute, i) => ({ minute: new Date(minute * 60_000).toISOString(), count: Number(counts[i] ?? 0) }));
  }

  /** Builds the index when it does not cover the stream yet (letters from before it); does nothing while another process builds it. */
  async ensureIndexed(): Promise<void> {
    if ((await this.redis.exists(this.keys.indexed)) === 1) return;
    await reindex(this.redis, this.keys);
  }

  /** Rebuilds the index from the stream (after entries were removed behind its back). */
  async reindex(): Promise<number> {
    return reindex(this.redis, this.keys);
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
}
