import type { DeadLetterFields, DeadLetterReason } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';
import { causeOf } from './cause';
import { ADD_SCRIPT, DeadLetterIndexKeys, MINUTE_KEY_SECONDS } from './dead-letter-index';

/** One stream entry: its id and its fields. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

export interface DeadLetterTarget {
  stream: string;
  group: string;
  deadLetterStream: string;
  consumer: string;
}

/**
 * Copies the entry to the dead-letter stream, acknowledges it and counts it in the index (its cause, reason,
 * type and minute), in one script: it is never both lost and acknowledged, nor dead-lettered and still
 * pending, and the counts never miss it.
 */
export async function deadLetter(
  redis: RedisClient,
  target: DeadLetterTarget,
  entry: StreamEntry,
  failure: { reason: DeadLetterReason; error: string; deliveries: number },
  now = new Date(),
): Promise<string> {
  const error = failure.error.slice(0, 2000);
  const cause = causeOf(failure.reason, error);
  const type = entry.fields.type?.slice(0, 200);
  const fields: DeadLetterFields = {
    originalId: entry.id,
    originalStream: target.stream,
    group: target.group,
    consumer: target.consumer,
    reason: failure.reason,
    error,
    cause: cause.id,
    deliveries: failure.deliveries,
    failedAt: now.toISOString(),
    ...(entry.fields.id === undefined ? {} : { eventId: entry.fields.id.slice(0, 200) }),
    ...(type === undefined ? {} : { type }),
    fields: JSON.stringify(entry.fields),
  };
  const keys = new DeadLetterIndexKeys(target.deadLetterStream);
  const pairs = Object.entries({ ...fields, deliveries: String(fields.deliveries) }).flat();
  const id = await redis.eval(ADD_SCRIPT, {
    keys: [
      keys.stream,
      target.stream,
      keys.reasons,
      keys.types,
      keys.causes,
      keys.cause(cause.id),
      keys.causeLetters(cause.id),
      keys.minute(Math.floor(now.getTime() / 60_000)),
    ],
    arguments: [
      target.group,
      entry.id,
      cause.id,
      failure.reason,
      cause.fingerprint,
      type ?? 'unknown',
      String(MINUTE_KEY_SECONDS),
      ...pairs,
    ],
  });
  return String(id);
}
