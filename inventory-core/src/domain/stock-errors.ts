/**
 * Why a stock operation was refused, in the domain's words. The HTTP layer maps each kind to a status and
 * names the request field; the worker never sees these (product events do not refuse).
 */
export type StockErrorKind =
  | 'inventory-not-found'
  | 'inventory-exists'
  | 'stale-version'
  | 'below-reserved'
  | 'insufficient-stock'
  | 'stock-limit'
  | 'reservation-exists'
  | 'reservation-not-found';

export class StockError extends Error {
  constructor(
    readonly kind: StockErrorKind,
    message: string,
    /** What the caller can act on: the current version, the available or reserved amount. */
    readonly facts: { version?: number; available?: number; reserved?: number; quantity?: number } = {},
  ) {
    super(message);
    this.name = 'StockError';
  }
}

export const inventoryNotFound = (productId: string) =>
  new StockError('inventory-not-found', `Inventory for product ${productId} does not exist`);

export const insufficientStock = (available: number, detail: string) =>
  new StockError('insufficient-stock', `${detail}; available: ${available}`, { available });

export const staleVersion = (version: number) =>
  new StockError('stale-version', `the record is at version ${version} (ETag "${version}")`, { version });
