import { withSqlClient } from '@stockstream/prisma';
import type { SqlPool } from '@stockstream/prisma';

/**
 * The advisory lock a reconcile run holds on the products database, as the pair (namespace, 1); pg_locks
 * shows it as classid 7212002, objid 1, objsubid 2. The relay's locks are single keys, in another space.
 */
const LOCK = [7_212_002, 1] as const;
const APPLICATION_NAME = 'stockstream-reconcile:';

/** Another reconcile run holds the lock; `runId` is its id when it could be read. */
export class ReconcileRunning extends Error {
  override readonly name = 'ReconcileRunning';
  constructor(readonly runId: string | undefined) {
    super(`another reconcile run is going on${runId ? ` (run ${runId})` : ''}`);
  }
}

/**
 * Runs `run` while holding the reconcile lock, so that two runs never announce the same drift twice. The
 * lock is a session lock on one connection held for the run (no transaction stays open, so the relay and
 * vacuum are not held back); the connection names the run (`application_name`), which is how a refused
 * run learns the running one's id. A process that dies lets go of it with its connection.
 */
export async function oneRunAtATime<T>(pool: SqlPool, runId: string, run: () => Promise<T>): Promise<T> {
  return withSqlClient(pool, async (client) => {
    const locked = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1, $2) AS locked, set_config('application_name', $3, false)",
      [...LOCK, `${APPLICATION_NAME}${runId}`],
    );
    if (!locked.rows[0]?.locked) {
      await client.query("SELECT set_config('application_name', '', false)");
      throw new ReconcileRunning(await runningRunId(pool));
    }
    try {
      return await run();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, $2), set_config('application_name', '', false)", [...LOCK]);
    }
  });
}

async function runningRunId(pool: SqlPool): Promise<string | undefined> {
  const holder = await pool.query<{ name: string }>(
    `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [...LOCK],
  );
  const name = holder.rows[0]?.name;
  return name?.startsWith(APPLICATION_NAME) ? name.slice(APPLICATION_NAME.length) : undefined;
}
