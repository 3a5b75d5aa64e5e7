import { AppError } from '@stockstream/platform/http';
import { ProductError } from '../domain/product-errors';

/** Product refusals as problem+json: 404 for a missing product, 409 naming body.sku, 412 for a stale If-Match. */
export function productProblem(error: unknown): AppError | undefined {
  if (!(error instanceof ProductError)) return undefined;
  switch (error.kind) {
    case 'product-not-found':
      return new AppError({ status: 404, type: 'not-found', title: 'Not found', detail: error.message });
    case 'duplicate-sku':
      return AppError.conflict('duplicate-sku', error.message, [
        { path: 'body.sku', message: `sku "${error.facts.sku}" is already taken` },
      ]);
    case 'stale-version':
      return AppError.preconditionFailed(`If-Match does not match the current version; ${error.message}`);
  }
}
