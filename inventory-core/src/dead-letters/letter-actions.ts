import { DeadLetterId } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';
import { REMOVE_SCRIPT, indexedLetter, removeKeys } from './dead-letter-index';
import type { DeadLetterIndexKeys } from './dead-letter-index';

/** What replaying one dead letter did. */
export type ReplayOutcome =
  | { id: string; outcome: 'replayed'; replayedAs: string }
  /** No dead letter has that id (replayed or purged already, or never there). */
  | { id: string; outcome: 'unknown' }
  /** Its `fields` are not an entry that can go back on the stream: it stays, for an operator to purge. */
  | { id: string; outcome: 'unreplayable'; problem: string };

/**
 * The original entry's fields, as the stream takes them back: a JSON object of at least one field whose
 * values are strings (numbers and booleans are written as the stream would hold them). Anything else is
 * the problem, in words.
 */
export function originalFields(message: Record<string, string>): string[] | string {
  if (message.fields === undefined) return 'the dead letter has no fields';
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.fields);
  } catch {
    return 'its fields are not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'its fields are not a JSON object';
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return `its field "${name}" is not a string`;
    }
    pairs.push(name, String(value));
  }
  return pairs.length === 0 ? 'its fields are empty' : pairs;
}

/** Where a letter is removed from and counted out of, and where a replay puts it. */
export interface LetterPlaces {
  keys: DeadLetterIndexKeys;
  productStream: string;
}

async function readLetter(redis: RedisClient, keys: DeadLetterIndexKeys, id: string): Promise<Record<string, string> | undefined> {
  DeadLetterId.parse(id);
  const [entry] = (await redis.xRange(keys.stream, id, id)) ?? [];
  return entry ? { ...entry.message } : undefined;
}

/**
 * Replays one dead letter: its original fields go back on the product stream and the letter leaves the
 * dead-letter stream and its counts, in one script. An id that is not a whole stream entry id throws (a
 * ZodError) before Redis is asked. The fields were read and checked first: an entry never changes, so the
 * check still holds when the script runs (which does nothing if the letter went in between).
 */
export async function replayLetter(redis: RedisClient, { keys, productStream }: LetterPlaces, id: string): Promise<ReplayOutcome> {
  const message = await readLetter(redis, keys, id);
  if (!message) return { id, outcome: 'unknown' };
  const fields = originalFields(message);
  if (typeof fields === 'string') return { id, outcome: 'unreplayable', problem: fields };
  const letter = indexedLetter(id, message);
  const replayedAs = await redis.eval(REMOVE_SCRIPT, {
    keys: removeKeys(keys, letter, productStream),
    arguments: [id, letter.reason, letter.causeId, letter.type, ...fields],
  });
  return typeof replayedAs === 'string' ? { id, outcome: 'replayed', replayedAs } : { id, outcome: 'unknown' };
}

/** Purges one dead letter (and counts it out); false when it was not there. */
export async function purgeLetter(redis: RedisClient, { keys, productStream }: LetterPlaces, id: string): Promise<boolean> {
  const message = await readLetter(redis, keys, id);
  if (!message) return false;
  const letter = indexedLetter(id, message);
  const removed = await redis.eval(REMOVE_SCRIPT, {
    keys: removeKeys(keys, letter, productStream),
    arguments: [id, letter.reason, letter.causeId, letter.type],
  });
  return removed !== null;
}
