import type { RedisClient } from '@stockstream/platform';
import { causeOf } from './cause';

/**
 * What the dead-letter stream's counts and causes are read from, kept beside the stream and changed in the
 * same script as the entry itself, so that no read walks the stream:
 *   <dlq>:reasons, <dlq>:types   letters per reason and per event type (hashes)
 *   <dlq>:causes                 the ids of the causes that have letters (a set)
 *   <dlq>:cause:<id>             a cause's reason, fingerprint and letters per type (a hash)
 *   <dlq>:cause:<id>:letters     its letters' ids, padded so that their order is the stream's (a sorted set)
 *   <dlq>:minute:<epoch minute>  letters added that minute, kept two hours (for the page's chart)
 *   <dlq>:indexed                set once the index covers every letter (see ensureIndexed)
 * Every key starts with the stream's name: with a hash tag in it ({products}.events.dlq) they share its slot.
 */
export class DeadLetterIndexKeys {
  readonly reasons: string;
  readonly types: string;
  readonly causes: string;
  readonly indexed: string;
  readonly indexing: string;

  constructor(readonly stream: string) {
    this.reasons = `${stream}:reasons`;
    this.types = `${stream}:types`;
    this.causes = `${stream}:causes`;
    this.indexed = `${stream}:indexed`;
    this.indexing = `${stream}:indexing`;
  }

  cause(id: string): string {
    return `${this.stream}:cause:${id}`;
  }

  causeLetters(id: string): string {
    return `${this.stream}:cause:${id}:letters`;
  }

  minute(epochMinute: number): string {
    return `${this.stream}:minute:${epochMinute}`;
  }
}

export const MINUTE_KEY_SECONDS = 2 * 60 * 60;

/** An entry id as a member of a sorted set of equal scores: both parts zero-padded, so lexical order is id order. */
export function paddedId(id: string): string {
  const [ms = '0', seq = '0'] = id.split('-');
  return `${ms.padStart(20, '0')}-${seq.padStart(20, '0')}`;
}

export function unpaddedId(member: string): string {
  const [ms = '0', seq = '0'] = member.split('-');
  return `${ms.replace(/^0+(?=\d)/, '')}-${seq.replace(/^0+(?=\d)/, '')}`;
}

/** Lua: the padded form of an entry id, as paddedId does it. */
const LUA_PADDED = `
local function padded(id)
  local ms, seq = string.match(id, '^(%d+)%-(%d+)$')
  return string.rep('0', 20 - #ms) .. ms .. '-' .. string.rep('0', 20 - #seq) .. seq
end
`;

/** Lua: counts a letter in (+1) or out (-1) of the index. KEYS[1..5]: reasons, types, causes, cause, cause letters. */
const LUA_COUNT = `
local function count(keys, id, reason, causeId, fingerprint, type, by)
  if by > 0 then
    redis.call('HINCRBY', keys[1], reason, 1)
    redis.call('HINCRBY', keys[2], type, 1)
    redis.call('SADD', keys[3], causeId)
    redis.call('HSET', keys[4], 'reason', reason, 'fingerprint', fingerprint)
    redis.call('HINCRBY', keys[4], 'type:' .. type, 1)
    redis.call('ZADD', keys[5], 0, padded(id))
    return
  end
  if redis.call('ZREM', keys[5], padded(id)) == 0 then return end
  if redis.call('HINCRBY', keys[1], reason, -1) <= 0 then redis.call('HDEL', keys[1], reason) end
  if redis.call('HINCRBY', keys[2], type, -1) <= 0 then redis.call('HDEL', keys[2], type) end
  if redis.call('HINCRBY', keys[4], 'type:' .. type, -1) <= 0 then redis.call('HDEL', keys[4], 'type:' .. type) end
  if redis.call('ZCARD', keys[5]) == 0 then
    redis.call('DEL', keys[4])
    redis.call('SREM', keys[3], causeId)
  end
end
`;

/**
 * Adds a dead letter and acknowledges its entry, in one step: it is never both lost and acknowledged,
 * nor dead-lettered and still pending, and the index always counts it.
 * KEYS: dlq, stream, reasons, types, causes, cause, cause letters, minute.
 * ARGV: group, original id, cause id, reason, fingerprint, type, minute key seconds, field pairs...
 */
export const ADD_SCRIPT = `${LUA_PADDED}${LUA_COUNT}
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 8))
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
count({KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]}, id, ARGV[4], ARGV[3], ARGV[5], ARGV[6], 1)
redis.call('INCR', KEYS[8])
redis.call('EXPIRE', KEYS[8], tonumber(ARGV[7]))
return id
`;

/**
 * Removes a dead letter and counts it out; with field pairs, first puts them on the product stream
 * (a replay). Nothing happens when the letter is not there (any more): returns false.
 * KEYS: dlq, reasons, types, causes, cause, cause letters, product stream.
 * ARGV: id, reason, cause id, type, field pairs...
 */
export const REMOVE_SCRIPT = `${LUA_PADDED}${LUA_COUNT}
if not string.match(ARGV[1], '^%d+%-%d+$') then return redis.error_reply('not a dead-letter id: ' .. ARGV[1]) end
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return false end
local result = 'removed'
if #ARGV > 4 then result = redis.call('XADD', KEYS[7], '*', unpack(ARGV, 5)) end
redis.call('XDEL', KEYS[1], ARGV[1])
count({KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]}, ARGV[1], ARGV[2], ARGV[3], '', ARGV[4], -1)
return result
`;

/** What the index needs of a letter, from its stream fields (a letter from before the index has no cause: it is worked out). */
export interface IndexedLetter {
  id: string;
  reason: string;
  type: string;
  causeId: string;
  fingerprint: string;
}

export function indexedLetter(id: string, message: Record<string, string>): IndexedLetter {
  const reason = message.reason ?? 'unknown';
  const cause = causeOf(reason, message.error ?? '');
  return { id, reason, type: message.type ?? 'unknown', causeId: message.cause ?? cause.id, fingerprint: cause.fingerprint };
}

export function removeKeys(keys: DeadLetterIndexKeys, letter: IndexedLetter, productStream: string): string[] {
  return [keys.stream, keys.reasons, keys.types, keys.causes, keys.cause(letter.causeId), keys.causeLetters(letter.causeId), productStream];
}

const REINDEX_PAGE = 1000;

/**
 * Builds the index from the stream: for letters written before it existed, or after someone removed
 * entries behind its back (XTRIM, XDEL by hand). One run at a time (a lock of a minute, renewed per page).
 */
export async function reindex(redis: RedisClient, keys: DeadLetterIndexKeys): Promise<number> {
  if ((await redis.set(keys.indexing, '1', { NX: true, PX: 60_000 })) === null) return -1;
  try {
    await clearIndex(redis, keys);
    let start = '-';
    let letters = 0;
    for (;;) {
      const page = (await redis.xRange(keys.stream, start, '+', { COUNT: REINDEX_PAGE })) ?? [];
      const multi = redis.multi();
      for (const entry of page) {
        const letter = indexedLetter(entry.id, { ...entry.message });
        const member = paddedId(entry.id);
        multi
          .hIncrBy(keys.reasons, letter.reason, 1)
          .hIncrBy(keys.types, letter.type, 1)
          .sAdd(keys.causes, letter.causeId)
          .hSet(keys.cause(letter.causeId), { reason: letter.reason, fingerprint: letter.fingerprint })
          .hIncrBy(keys.cause(letter.causeId), `type:${letter.type}`, 1)
          .zAdd(keys.causeLetters(letter.causeId), { score: 0, value: member });
      }
      multi.pExpire(keys.indexing, 60_000);
      await multi.exec();
      letters += page.length;
      const last = page.at(-1);
      if (page.length < REINDEX_PAGE || !last) break;
      start = `(${last.id}`;
    }
    await redis.set(keys.indexed, '1');
    return letters;
  } finally {
    await redis.del(keys.indexing);
  }
}

/** Deletes every index key (not the stream). */
export async function clearIndex(redis: RedisClient, keys: DeadLetterIndexKeys): Promise<void> {
  const causes = await redis.sMembers(keys.causes);
  const doomed = [keys.reasons, keys.types, keys.causes, keys.indexed, ...causes.flatMap((id) => [keys.cause(id), keys.causeLetters(id)])];
  for (let i = 0; i < doomed.length; i += 500) await redis.del(doomed.slice(i, i + 500));
}
