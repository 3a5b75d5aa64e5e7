import { AppError } from '@stockstream/platform/http';
import { StockError } from '@stockstream/inventory-core';
import type { StockErrorKind } from '@stockstream/inventory-core';

/** The request field each refusal is about, so that the answer names it. */
const FIELD: Partial<Record<StockErrorKind, { path: string; message: (error: StockError) => string }>> = {
  'inventory-exists': { path: 'body.productId', message: () => 'this product already has an inventory record' },
  'below-reserved': { path: 'body.quantity', message: (error) => `must be at least the reserved amount, ${error.facts.reserved}` },
  'stock-limit': { path: 'body.delta', message: () => 'too large for this record' },
  'reservation-exists': { path: 'body.reference', message: (error) => `already used for a reservation of ${error.facts.quantity}` },
};

/** Stock refusals as problem+json: 404 for what is missing, 412 for a stale If-Match, 409 for the rules. */
export function stockProblem(error: unknown): AppError | undefined {
  if (!(error instanceof StockError)) return undefined;
  switch (error.kind) {
    case 'inventory-not-found':
    case 'reservation-not-found':
      return new AppError({ status: 404, type: 'not-found', title: 'Not found', detail: error.message });
    case 'stale-version':
      return AppError.preconditionFailed(`If-Match does not match the current version; ${error.message}`);
    case 'insufficient-stock':
      return AppError.conflict('insufficient-stock', error.message, undefined, { available: error.facts.available });
    default: {
      const field = FIELD[error.kind];
      return AppError.conflict(error.kind, error.message, field && [{ path: field.path, message: field.message(error) }]);
    }
  }
}
