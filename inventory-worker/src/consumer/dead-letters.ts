import type { DeadLetterReason } from '@stockstream/contracts';
import { deadLetter } from '@stockstream/inventory-core';
import type { Logger, RedisClient } from '@stockstream/platform';
import type { ConsumerObserver, ConsumerOptions } from './consumer-options';
import type { StreamEntry } from './stream-entry';

export interface Failure {
  reason: DeadLetterReason;
  error: string;
  deliveries: number;
}

/** Moves one entry to the dead-letter stream and acknowledges it, atomically; answers the dead letter's id. */
export type DeadLetterWriter = (entry: StreamEntry, failure: Failure) => Promise<string>;

export function redisDeadLetterWriter(redis: RedisClient, options: ConsumerOptions): DeadLetterWriter {
  return (entry, failure) => deadLetter(redis, options, entry, failure);
}

/** Dead-letters an entry, with its log line and count. A failure to write throws: the entry stays pending. */
export async function sendToDeadLetters(
  write: DeadLetterWriter,
  { logger, observer }: { logger: Logger; observer: ConsumerObserver },
  entry: StreamEntry,
  failure: Failure,
): Promise<void> {
  const type = entry.fields.type ?? 'unknown';
  const deadLetterId = await write(entry, failure);
  logger.error('event dead-lettered', { type, ...failure, deadLetterId });
  observer.handled(type, 'dead-lettered');
}
