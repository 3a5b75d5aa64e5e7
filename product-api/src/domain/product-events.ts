import { randomUUID } from 'node:crypto';
import { EVENT_VERSION } from '@stockstream/contracts';
import type { Product, ProductEvent } from '@stockstream/contracts';

/** The event a committed change announces; written to the outbox in the same transaction. */
export function productEvent(type: ProductEvent['type'], product: Product, correlationId: string | undefined): ProductEvent {
  const envelope = { id: randomUUID(), version: EVENT_VERSION, occurredAt: new Date().toISOString(), correlationId };
  if (type === 'product.deleted') {
    return { ...envelope, type, data: { productId: product.id, sku: product.sku, productVersion: product.version } };
  }
  const data = { productId: product.id, sku: product.sku, name: product.name, price: product.price, productVersion: product.version };
  return type === 'product.created' ? { ...envelope, type, data } : { ...envelope, type, data };
}
