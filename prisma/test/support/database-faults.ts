// The ways a database goes away under a service, each made for real on the test's own database and role:
// what a DBA, a failover or a load peak does. A service under test connects as `role` through `proxy`.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { databaseNameOf } from '@stockstream/prisma';
import type { SqlPool } from '@stockstream/prisma';
import { TEST_SERVER_URL } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { proxyInFrontOf } from '../../../platform/test/support/tcp-proxy';
import type { TcpProxy } from '../../../platform/test/support/tcp-proxy';
import { waitFor } from '../../../platform/test/support/wait';

export interface DatabaseFault {
  name: string;
  /**
   * Whether requests sent after `start()` fail before `end()` (and readiness with them); otherwise they
   * wait until `end()` makes them fail.
   */
  lasting: boolean;
  start(): Promise<void>;
  end(): Promise<void>;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A login role of the test's own (a superuser, so that it needs no grants), and a proxy in front of the
 * server: `url` is what the service under test connects with.
 */
export class DatabaseFaults {
  private constructor(
    private readonly database: TestDatabase,
    readonly proxy: TcpProxy,
    readonly role: string,
    readonly url: string,
  ) {}

  static async around(database: TestDatabase): Promise<DatabaseFaults> {
    const role = `test_login_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await admin((client) => client.query(`CREATE ROLE ${quote(role)} LOGIN SUPERUSER`));
    const { proxy, url } = await proxyInFrontOf(database.url);
    const asRole = new URL(url);
    asRole.username = role;
    return new DatabaseFaults(database, proxy, role, asRole.toString());
  }

  private get name(): string {
    return databaseNameOf(this.database.url);
  }

  /** Ends every session of the role on the database, as `pg_terminate_backend` (an administrator) does. */
  terminateSessions(): Promise<unknown> {
    return admin((client) =>
      client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()', [this.role]),
    );
  }

  /** Taken offline for maintenance: `ALLOW_CONNECTIONS false`, its sessions ended (SQLSTATE 55000 on connect). */
  readonly offline: DatabaseFault = {
    name: 'the database is taken offline (ALLOW_CONNECTIONS false)',
    lasting: true,
    start: async () => {
      await admin((client) => client.query(`ALTER DATABASE ${quote(this.name)} ALLOW_CONNECTIONS false`));
      await this.terminateSessions();
    },
    end: async () => {
      await admin((client) => client.query(`ALTER DATABASE ${quote(this.name)} ALLOW_CONNECTIONS true`));
    },
  };

  /** Dropped (its sessions ended with it: 3D000 on connect), then made again from the template. */
  readonly dropped: DatabaseFault = {
    name: 'the database is dropped and recreated',
    lasting: true,
    start: () => this.database.drop(),
    end: () => this.database.recreate(),
  };

  /** The role may no longer log in (28000 on connect), its sessions ended. */
  readonly loginRevoked: DatabaseFault = {
    name: "the role's LOGIN is revoked",
    lasting: true,
    start: async () => {
      await admin((client) => client.query(`ALTER ROLE ${quote(this.role)} NOLOGIN`));
      await this.terminateSessions();
    },
    end: async () => {
      await admin((client) => client.query(`ALTER ROLE ${quote(this.role)} LOGIN`));
    },
  };

  /** The server is gone: new connections refused, open ones cut. */
  readonly serverStopped: DatabaseFault = {
    name: 'the server stops',
    lasting: true,
    start: () => this.proxy.down(),
    end: () => this.proxy.up(),
  };

  /** Every connection of `pool` is taken and held, so the next caller waits out the pool's connect timeout. */
  poolExhausted(pool: SqlPool, size: number): DatabaseFault {
    let held: { release(): void }[] = [];
    return {
      name: 'the pool is exhausted',
      lasting: true,
      start: async () => {
        held = await Promise.all(Array.from({ length: size }, () => pool.connect()));
      },
      end: async () => {
        for (const client of held) client.release();
        held = [];
      },
    };
  }

  /**
   * Requests in flight when their sessions are terminated: `tables` are locked, so requests sent meanwhile
   * wait inside the database; once `waiting` of the role's sessions wait, they are terminated (57P01) and
   * the lock let go.
   */
  terminatedInFlight(waiting: number, tables: string[]): DatabaseFault {
    let locker: Client | undefined;
    return {
      name: 'sessions are terminated mid-statement',
      lasting: false,
      start: async () => {
        locker = new Client({ connectionString: this.database.url });
        await locker.connect();
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE ${tables.map(quote).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      },
      end: async () => {
        await waitFor(`${waiting} sessions waiting on the lock`, async () => {
          const blocked = await admin((client) =>
            client.query("SELECT 1 FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'", [this.role]),
          );
          return (blocked.rowCount ?? 0) >= waiting;
        });
        await this.terminateSessions();
        await locker?.query('ROLLBACK');
        await locker?.end();
      },
    };
  }

  async close(): Promise<void> {
    await this.proxy.up().catch(() => undefined);
    await this.offline.end().catch(() => undefined);
    await this.terminateSessions();
    await this.proxy.down();
    await admin((client) => client.query(`DROP ROLE IF EXISTS ${quote(this.role)}`));
  }
}
