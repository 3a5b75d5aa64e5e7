/**
 * Why a product change was refused, in the domain's words. The HTTP layer maps each kind to a status and
 * names the request field (src/http/product-problems.ts).
 */
export type ProductErrorKind = 'product-not-found' | 'duplicate-sku' | 'stale-version';

export class ProductError extends Error {
  override readonly name = 'ProductError';

  constructor(
    readonly kind: ProductErrorKind,
    message: string,
    /** What the caller can act on: the sku taken, the current version. */
    readonly facts: { sku?: string; version?: number } = {},
  ) {
    super(message);
  }
}

export const productNotFound = (id: string) => new ProductError('product-not-found', `Product ${id} does not exist`);

export const skuTaken = (sku: string) => new ProductError('duplicate-sku', `A product with sku "${sku}" already exists`, { sku });

export const staleVersion = (version: number) =>
  new ProductError('stale-version', `the product is at version ${version} (ETag "${version}")`, { version });
