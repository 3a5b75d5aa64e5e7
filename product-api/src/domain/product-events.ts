import { randomUUID } from 'node:crypto';
import { EVENT_VERSION } from '@stockstream/contracts';
import type { Product, ProductEvent } from '@stockstream/contracts';
import { currentTraceparent } from '@stockstream/platform';

/** What an event says of a product. */
export type ProductFacts = Pick<Product, 'id' | 'sku' | 'name' | 'price' | 'version'>;

/** "5" → "5.00", "19.9" → "19.90": the form the API answers with and stores, so events carry it too. */
export function twoDecimals(price: string): string {
  const [units = '0', cents = ''] = price.split('.');
  return `${units}.${cents.padEnd(2, '0')}`;
}

type EventOf<T extends ProductEvent['type']> = Extract<ProductEvent, { type: T }>;

/**
 * The envelope and the data, written as one object literal. Not `{ ...envelope(), type, data }`: V8
 * makes a spread's object on a slower path, and under writes that kept each create's event and what it
 * holds alive past young-generation collections into the old one (bench/history/2026-11-performance-notebook.md, "The write p99
 * is set by the full collections").
 */
function event<T extends ProductEvent['type']>(type: T, data: EventOf<T>['data'], correlationId: string | undefined): EventOf<T> {
  return {
    id: randomUUID(),
    version: EVENT_VERSION,
    occurredAt: new Date().toISOString(),
    correlationId,
    traceparent: currentTraceparent(),
    type,
    data,
  } as EventOf<T>;
}

/**
 * The deletion of a product whose last version was `lastVersion`. The deletion is the product's last
 * change, so it is its next version: consumers that order a product's events by version see it after
 * every update (docs/decisions/0004-order-free-apply.md).
 */
export function deletionEvent(product: Pick<ProductFacts, 'id' | 'sku' | 'version'>, correlationId: string | undefined): ProductEvent {
  return event('product.deleted', { productId: product.id, sku: product.sku, productVersion: product.version + 1 }, correlationId);
}

/** The event a committed change announces; written to the outbox in the same transaction. */
export function productEvent(type: ProductEvent['type'], product: ProductFacts, correlationId: string | undefined): ProductEvent {
  if (type === 'product.deleted') return deletionEvent(product, correlationId);
  const data = { productId: product.id, sku: product.sku, name: product.name, price: product.price, productVersion: product.version };
  return event(type, data, correlationId);
}
