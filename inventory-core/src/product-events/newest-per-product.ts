import type { ProductEvent } from '@stockstream/contracts';

/** A deleted product can never come back, so an unversioned delete (an entry older than versions) is final. */
const FINAL_VERSION = 2_147_483_647;

/**
 * The version an event speaks for. Entries published before every event carried `productVersion`: a
 * create is version 1, a delete is final, and an update is 0, which the stock rules apply over whatever
 * the record holds (as such entries always were) without moving its version.
 */
export function versionOf(event: ProductEvent): number {
  if (event.data.productVersion !== undefined) return event.data.productVersion;
  if (event.type === 'product.created') return 1;
  return event.type === 'product.deleted' ? FINAL_VERSION : 0;
}

/** Higher wins; at one version a delete wins, since nothing of that product can follow it. */
function outranks(a: ProductEvent, b: ProductEvent): boolean {
  const byVersion = versionOf(a) - versionOf(b);
  if (byVersion !== 0) return byVersion > 0;
  return a.type === 'product.deleted' && b.type !== 'product.deleted';
}

/**
 * Of each product's events, the one that decides its record: the newest. The others are superseded, in
 * whatever order they came, so a batch applies one statement per rule rather than one per event.
 */
export function newestPerProduct<E extends { event: ProductEvent }>(items: E[]): E[] {
  const newest = new Map<string, E>();
  for (const item of items) {
    const current = newest.get(item.event.data.productId);
    if (current === undefined || outranks(item.event, current.event)) newest.set(item.event.data.productId, item);
  }
  return [...newest.values()];
}
