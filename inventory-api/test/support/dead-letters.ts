import { randomUUID } from 'node:crypto';
import { toStreamFields } from '@stockstream/contracts';
import type { ProductEvent } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';
import { deadLetter } from '@stockstream/inventory-core';

export function testDeadLetterStreams() {
  const stream = `test-${randomUUID()}`;
  return { stream, group: 'inventory', deadLetterStream: `${stream}.dlq`, consumer: 'test-worker' };
}

export function productEvent(type: 'product.created' | 'product.updated' = 'product.created'): ProductEvent {
  const productId = randomUUID();
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    correlationId: 'req-dlq',
    data: { productId, sku: `SKU-${productId.slice(0, 6)}`, name: 'Dead product', price: '1.00' },
  };
}

/** Dead-letters entries the way the worker does: added to the stream, read by the group, then moved. */
export async function seedDeadLetters(
  redis: RedisClient,
  streams: ReturnType<typeof testDeadLetterStreams>,
  letters: { fields: Record<string, string>; reason: 'invalid' | 'max-deliveries'; error: string }[],
): Promise<string[]> {
  await redis.xGroupCreate(streams.stream, streams.group, '$', { MKSTREAM: true }).catch(() => undefined);
  const ids: string[] = [];
  for (const letter of letters) {
    const entryId = await redis.xAdd(streams.stream, '*', letter.fields);
    await redis.xReadGroup(streams.group, streams.consumer, { key: streams.stream, id: '>' }, { COUNT: 1 });
    ids.push(
      await deadLetter(
        redis,
        streams,
        { id: entryId, fields: letter.fields },
        { reason: letter.reason, error: letter.error, deliveries: letter.reason === 'invalid' ? 1 : 5 },
      ),
    );
  }
  return ids;
}

export const asFields = (event: ProductEvent) => toStreamFields(event);

/** Many dead letters quickly (a thousand scripts in flight at a time), written as the worker writes them; their ids, oldest first. */
export async function seedManyDeadLetters(
  redis: RedisClient,
  streams: ReturnType<typeof testDeadLetterStreams>,
  count: number,
  letterOf: (index: number) => { fields: Record<string, string>; reason: 'invalid' | 'max-deliveries'; error: string },
): Promise<string[]> {
  await redis.xGroupCreate(streams.stream, streams.group, '$', { MKSTREAM: true }).catch(() => undefined);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const chunk = Array.from({ length: Math.min(1000, count - start) }, (_, offset) => start + offset);
    ids.push(
      ...(await Promise.all(
        chunk.map((index) => {
          const letter = letterOf(index);
          return deadLetter(
            redis,
            streams,
            { id: `1-${index}`, fields: letter.fields },
            { reason: letter.reason, error: letter.error, deliveries: 5 },
          );
        }),
      )),
    );
  }
  return ids;
}
