import type { RedisClient } from '@stockstream/platform';
import type { ConsumerOptions } from './consumer-options';

/**
 * Removes a consumer only while it has nothing pending, checked in the same script: XGROUP DELCONSUMER
 * drops a consumer's pending entries with it, and those would then never be delivered again.
 */
const REMOVE_IF_NOTHING_PENDING = `
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return -1 end
return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
`;

/**
 * Consumers of earlier processes (each process has a name of its own) stay in the group until removed.
 * This removes those idle past consumerIdleMs with no pending entries; a consumer with pending entries
 * stays until a claim has taken them. Answers the names removed.
 */
export async function removeIdleConsumers(
  redis: RedisClient,
  { stream, group, consumer: self, consumerIdleMs }: ConsumerOptions,
): Promise<string[]> {
  const idle = (await redis.xInfoConsumers(stream, group)).filter(
    (consumer) => String(consumer.name) !== self && Number(consumer.pending) === 0 && Number(consumer.idle) > consumerIdleMs,
  );
  const removed: string[] = [];
  for (const consumer of idle) {
    const name = String(consumer.name);
    const answer = await redis.eval(REMOVE_IF_NOTHING_PENDING, { keys: [stream], arguments: [group, name] });
    if (answer !== -1) removed.push(name);
  }
  return removed;
}
