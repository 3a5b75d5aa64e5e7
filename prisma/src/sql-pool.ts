import pg from 'pg';
import { traceQueries } from './query-spans';

/**
 * No connection could be had: the pool timed out waiting for one, or opening one failed (the server
 * refused the socket, the database does not exist or takes no connections, the role may not log in,
 * too many clients, …). Whatever the server's reason, no statement ran, so it is an outage, never the
 * caller's fault.
 *
 * It has the shape of a pg server error so that it crosses Prisma's driver adapter intact: the adapter
 * keeps only a pg error's `code`, `severity` and `message`. `08001` is SQLSTATE's own code for this
 * ("sqlclient unable to establish sqlconnection"); the server's own error stays as `cause`.
 */
export class ConnectionFailedError extends Error {
  override readonly name = 'ConnectionFailedError';
  readonly code = '08001';
  readonly severity = 'FATAL';
  readonly detail: string | undefined = undefined;
  readonly hint: string | undefined = undefined;
  readonly column: string | undefined = undefined;

  constructor(cause: unknown) {
    super(`could not get a database connection: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, release: (error?: Error) => void) => void;

/**
 * A pg pool whose every failure to hand out a connection is a `ConnectionFailedError`, and whose
 * connections' statements are spans inside a traced piece of work (traceQueries). pg-pool's own `query()`
 * and Prisma's adapter both take connections through `connect()`, so this is the one place that knows an
 * error came from getting a connection rather than from a statement, and sees every statement.
 */
export class SqlPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (!callback) {
      return super.connect().then(
        (client) => (traceQueries(client), client),
        (error: unknown) => Promise.reject(new ConnectionFailedError(error)),
      );
    }
    super.connect((error, client, release) => {
      if (client) traceQueries(client);
      callback(error ? new ConnectionFailedError(error) : undefined, client, release);
    });
  }
}
