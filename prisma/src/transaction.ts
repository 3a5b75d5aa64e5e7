import { setTimeout as sleep } from 'node:timers/promises';

/** Serialization failures and deadlocks: the transaction was right, it only lost a race; run it again. */
const RETRYABLE_CODES = new Set(['P2034', '40001', '40P01']);

export function isRetryableTransactionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as {
    code?: unknown;
    meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } };
  };
  return (
    RETRYABLE_CODES.has(String(code)) ||
    RETRYABLE_CODES.has(String(meta?.code)) ||
    RETRYABLE_CODES.has(String(meta?.driverAdapterError?.cause?.originalCode))
  );
}

type IsolationLevel = 'ReadCommitted' | 'RepeatableRead' | 'Serializable';

interface TransactionalClient<Tx> {
  $transaction<R>(
    work: (tx: Tx) => Promise<R>,
    options?: { isolationLevel?: IsolationLevel; timeout?: number; maxWait?: number },
  ): Promise<R>;
}

/** Runs `work` in one transaction, again (up to maxAttempts, with jitter) when it lost a serialization race. */
export async function inTransaction<Tx, R>(
  db: TransactionalClient<Tx>,
  work: (tx: Tx) => Promise<R>,
  {
    isolationLevel = 'ReadCommitted',
    maxAttempts = 5,
    timeout = 10_000,
  }: { isolationLevel?: IsolationLevel; maxAttempts?: number; timeout?: number } = {},
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(work, { isolationLevel, timeout, maxWait: timeout });
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryableTransactionError(error)) throw error;
      await sleep(Math.random() * 10 * attempt);
    }
  }
}
