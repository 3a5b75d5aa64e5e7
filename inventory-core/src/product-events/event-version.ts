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
