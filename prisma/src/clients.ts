import v8 from 'node:v8';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { SqlPool } from './sql-pool';

export { ConnectionFailedError, SqlPool } from './sql-pool';

/**
 * Prisma 7's query compiler is WebAssembly. V8 compiles it at once with its baseline compiler (Liftoff)
 * and then, as it gets hot, again with its optimizing one (TurboFan), keeping both: that second copy
 * was 40 to 80 MiB of resident memory per process, and measured no faster for our queries (5,000 model
 * queries: 2.7 s of CPU with Liftoff only, 3.0 s with both; bench/history/2026-11-performance-notebook.md). A process flag, so each
 * process's main calls it first, before the first client compiles the module; it touches WebAssembly only.
 */
export function compileWasmWithBaselineOnly(): void {
  v8.setFlagsFromString('--liftoff-only');
}

export interface PoolOptions {
  /** Connections in the pool; a two-core machine is served best by a few. */
  poolSize?: number;
  /** Postgres cancels a statement that runs longer (its `statement_timeout`); none when unset. */
  statementTimeoutMs?: number;
  /** How long a caller waits for a connection (a free one, or a new one to open) before it is an outage. */
  connectTimeoutMs?: number;
  onPoolError?: (error: Error) => void;
}

/**
 * A pg pool, to give to a Prisma client and to use directly for the few statements on a hot path, where
 * Prisma's runtime costs about three times the driver's own CPU per query (bench/history/2026-11-performance-notebook.md). The
 * caller ends it, after the client's $disconnect.
 */
export function createPool(
  url: string,
  { poolSize = 10, statementTimeoutMs, connectTimeoutMs = 5_000, onPoolError }: PoolOptions = {},
): SqlPool {
  const pool = new SqlPool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    ...(statementTimeoutMs === undefined ? {} : { statement_timeout: statementTimeoutMs }),
  });
  // An idle connection that breaks must not crash the process; the next query reports the outage.
  pool.on('error', (error) => onPoolError?.(error));
  return pool;
}

/** Given a url, the client makes its own pool and ends it on $disconnect; given a pool, it shares it. */
export function adapterFor(source: string | SqlPool, options: PoolOptions) {
  return new PrismaPg(typeof source === 'string' ? createPool(source, options) : source, {
    disposeExternalPool: typeof source === 'string',
  });
}

export type SqlClient = pg.PoolClient;

export type SqlResult<Row extends object = Record<string, unknown>> = pg.QueryResult<Row>;

/**
 * `work` on one connection of the pool, which it uses for a transaction of its own (BEGIN and COMMIT
 * sent by it, as it sees fit). When `work` throws, the transaction is rolled back; a connection whose
 * ROLLBACK fails is broken, and is closed rather than given back to the pool. While the connection is
 * out of the pool, the pool does not listen for its errors: a connection lost then (the query in hand
 * fails with it) would otherwise be an 'error' event nobody handles, which ends the process.
 */
export async function withSqlClient<T>(pool: SqlPool, work: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    if (!broken) await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

// pg exports its value serializer (`utils.prepareValue`) at runtime; @types/pg does not declare it.
declare module 'pg' {
  export const utils: { prepareValue(value: unknown): unknown };
}

/**
 * An array as Postgres' text literal (`{"a","b",NULL}`), made by pg's own serializer: exactly what pg
 * sends for an array parameter. Handed to Prisma's `$queryRaw` as one string, it passes through Prisma's
 * parameter handling whole; an array goes through it element by element (each value mapped, the lot
 * written as JSON and read back) before pg serializes it just the same. For the worker's batch of eight
 * arrays of 500 that was a twentieth of its CPU an event, and the garbage held a draining worker's
 * memory up (bench/history/2026-11-performance-notebook.md).
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  return String(pg.utils.prepareValue(values));
}
