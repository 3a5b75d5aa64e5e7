import { randomUUID } from 'node:crypto';
import { toStreamFields } from '@stockstream/contracts';
import type { ProductEvent } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';

export function productCreated(
  overrides: Partial<{ productId: string; sku: string; name: string; correlationId: string }> = {},
): ProductEvent {
  const productId = overrides.productId ?? randomUUID();
  return {
    id: randomUUID(),
    type: 'product.created',
    version: 1,
    occurredAt: new Date().toISOString(),
    correlationId: overrides.correlationId ?? `test-${randomUUID().slice(0, 8)}`,
    data: {
      productId,
      sku: overrides.sku ?? `SKU-${productId.slice(0, 8)}`,
      name: overrides.name ?? 'Test product',
      price: '9.99',
      productVersion: 1,
    },
  };
}

export function productUpdated(productId: string, sku: string, name: string, productVersion = 2): ProductEvent {
  return {
    id: randomUUID(),
    type: 'product.updated',
    version: 1,
    occurredAt: new Date().toISOString(),
    data: { productId, sku, name, price: '1.00', productVersion },
  };
}

/** XADDs the events in one pipeline, in order. */
export async function publish(redis: RedisClient, stream: string, events: ProductEvent[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < events.length; start += 500) {
    const pipeline = redis.multi();
    for (const event of events.slice(start, start + 500)) pipeline.xAdd(stream, '*', toStreamFields(event));
    ids.push(...(await pipeline.execAsPipeline()).map(String));
  }
  return ids;
}
