import { AppError } from '@stockstream/platform';

export function inventoryNotFound(productId: string): AppError {
  return AppError.notFound(`Inventory for product ${productId}`);
}

/** The problem type a client can act on: it says how much can still be taken. */
export function insufficientStock(available: number, detail: string): AppError {
  return AppError.conflict('insufficient-stock', `${detail}; available: ${available}`, undefined, { available });
}

export function staleVersion(version: number): AppError {
  return AppError.preconditionFailed(
    `If-Match does not match the current version; the record is at version ${version} (ETag "${version}")`,
  );
}
