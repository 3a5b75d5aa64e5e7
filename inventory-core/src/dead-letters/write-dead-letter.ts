import type { DeadLetterFields, DeadLetterReason } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';
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
 * Copies the entry to the dead-letter stream and acknowledges it, in one MULTI: it is never both lost
 * and acknowledged, nor dead-lettered and still pending.
 */
export async function deadLetter(
  redis: RedisClient,
  target: DeadLetterTarget,
  entry: StreamEntry,
  failure: { reason: DeadLetterReason; error: string; deliveries: number },
): Promise<string> {
  const fields: DeadLetterFields = {
    originalId: entry.id,
    originalStream: target.stream,
    group: target.group,
    consumer: target.consumer,
    reason: failure.reason,
    error: failure.error.slice(0, 2000),
    deliveries: failure.deliveries,
    failedAt: new Date().toISOString(),
    ...(entry.fields.id === undefined ? {} : { eventId: entry.fields.id.slice(0, 200) }),
    ...(entry.fields.type === undefined ? {} : { type: entry.fields.type.slice(0, 200) }),
    fields: JSON.stringify(entry.fields),
  };
  const [deadLetterId] = await redis
    .multi()
    .xAdd(target.deadLetterStream, '*', { ...fields, deliveries: String(fields.deliveries) })
    .xAck(target.stream, target.group, entry.id)
    .exec();
  return String(deadLetterId);
}
