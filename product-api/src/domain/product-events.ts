import { randomUUID } from 'node:crypto';
import { EVENT_VERSION } from '@stockstream/contracts';
import type { Product, ProductEvent } from '@stockstream/contracts';

/** What an event says of a product. */
export type ProductFacts = Pick<Product, 'id' | 'sku' | 'name' | 'price' | 'version'>;

/** "5" → "5.00", "19.9" → "19.90": the form the API answers with and stores, so events carry it too. */
export function twoDecimals(price: string): string {
  const [units = '0', cents = ''] = price.split('.');
  return `${units}.${cents.padEnd(2, '0')}`;
}

const envelope = (correlationId: string | undefined) => ({
  id: randomUUID(),
  version: EVENT_VERSION,
  occurredAt: new Date().toISOString(),
  correlationId,
});

/**
 * The deletion of a product whose last version was `lastVersion`. The deletion is the product's last
 * change, so it is its next version: consumers that order a product's events by version see it after
 * every update (docs/decisions/0004-order-free-apply.md).
 */
export function deletionEvent(product: Pick<ProductFacts, 'id' | 'sku' | 'version'>, correlationId: string | undefined): ProductEvent {
  return {
    ...envelope(correlationId),
    type: 'product.deleted',
    data: { productId: product.id, sku: product.sku, productVersion: product.version + 1 },
  };
}

/** The event a committed change announces; written to the outbox in the same transaction. */
export function productEvent(type: ProductEvent['type'], product: ProductFacts, correlationId: string | undefined): ProductEvent {
  if (type === 'product.deleted') return deletionEvent(product, correlationId);
  const data = { productId: product.id, sku: product.sku, name: product.name, price: product.price, productVersion: product.version };
  return type === 'product.created' ? { ...envelope(correlationId), type, data } : { ...envelope(correlationId), type, data };
}
