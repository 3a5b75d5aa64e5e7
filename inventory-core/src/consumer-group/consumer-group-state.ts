import type { RedisClient } from '@stockstream/platform';

export interface ConsumerGroupState {
  /** Entries not yet delivered to the group; null when Redis cannot tell. */
  lag: number | null;
  pending: number;
  oldestPendingIdleSeconds: number;
  consumers: { name: string; pending: number; idleSeconds: number }[];
}

/** The group's state as operators watch it: lag, pending per consumer, the oldest pending entry's age. */
export async function consumerGroupState(redis: RedisClient, stream: string, group: string): Promise<ConsumerGroupState | undefined> {
  if ((await redis.exists(stream)) === 0) return undefined;
  const info = (await redis.xInfoGroups(stream)).find((one) => String(one.name) === group);
  if (!info) return undefined;
  const [oldest] = await redis.xPendingRange(stream, group, '-', '+', 1);
  const consumers = await redis.xInfoConsumers(stream, group);
  return {
    lag: typeof info.lag === 'number' ? info.lag : null,
    pending: Number(info.pending),
    oldestPendingIdleSeconds: oldest ? Math.round(Number(oldest.millisecondsSinceLastDelivery) / 1000) : 0,
    consumers: consumers.map((consumer) => ({
      name: String(consumer.name),
      pending: Number(consumer.pending),
      idleSeconds: Math.round(Number(consumer.idle) / 1000),
    })),
  };
}
