import { DeadLetterId } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';

/** What replaying one dead letter did. */
export type ReplayOutcome =
  | { id: string; outcome: 'replayed'; replayedAs: string }
  /** No dead letter has that id (replayed or purged already, or never there). */
  | { id: string; outcome: 'unknown' }
  /** Its `fields` are not an entry that can go back on the stream: it stays, for an operator to purge. */
  | { id: string; outcome: 'unreplayable'; problem: string };

/**
 * Puts the given fields on the product stream and removes the dead letter, in one step, or does nothing
 * when the letter is not there (any more). The fields were read and checked by the caller: an entry of a
 * stream never changes, so the check still holds. Returns the new entry id, or nil.
 */
const REPLAY_SCRIPT = `
if not string.match(ARGV[1], '^%d+%-%d+$') then return redis.error_reply('not a dead-letter id: ' .. ARGV[1]) end
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return false end
local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
redis.call('XDEL', KEYS[1], ARGV[1])
return id
`;

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

/** Replays one dead letter; an id that is not a whole stream entry id throws (a ZodError) before Redis is asked. */
export async function replayLetter(
  redis: RedisClient,
  deadLetterStream: string,
  productStream: string,
  id: string,
): Promise<ReplayOutcome> {
  DeadLetterId.parse(id);
  const [entry] = (await redis.xRange(deadLetterStream, id, id)) ?? [];
  if (!entry) return { id, outcome: 'unknown' };
  const fields = originalFields({ ...entry.message });
  if (typeof fields === 'string') return { id, outcome: 'unreplayable', problem: fields };
  const replayedAs = await redis.eval(REPLAY_SCRIPT, { keys: [deadLetterStream, productStream], arguments: [id, ...fields] });
  return typeof replayedAs === 'string' ? { id, outcome: 'replayed', replayedAs } : { id, outcome: 'unknown' };
}
