// The pg pool: withSqlClient, the relay's way to a connection of its own (a connection lost while it is
// out of the pool fails the work in hand, is closed rather than given back, and does not end the
// process), and the pool's statement timeout, which bounds a worker's apply.
import { createPool, withSqlClient } from '@stockstream/prisma';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { proxyInFrontOf } from '../../platform/test/support/tcp-proxy';
import type { TcpProxy } from '../../platform/test/support/tcp-proxy';

let database: TestDatabase;
let proxy: TcpProxy;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase('product');
  ({ proxy, url } = await proxyInFrontOf(database.url));
});
afterAll(async () => {
  await proxy.down();
  await database.drop();
});

test('a connection lost during the work rejects it, and the pool opens a new one afterwards', async () => {
  const pool = createPool(url, { poolSize: 1 });
  try {
    const work = withSqlClient(pool, async (client) => {
      await client.query('BEGIN');
      await proxy.down(); // the connection is cut while it is out of the pool
      await new Promise((resolve) => setTimeout(resolve, 50));
      await client.query('SELECT 1');
    });
    await expect(work).rejects.toThrow();
    expect(pool.totalCount).toBe(0); // the lost connection was not given back

    await proxy.up();
    const answer = await withSqlClient(pool, async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]);
    expect(answer).toEqual({ one: 1 });
  } finally {
    await proxy.up();
    await pool.end();
  }
});

test('a pool with a statement timeout has Postgres cancel a statement that runs longer', async () => {
  const pool = createPool(database.url, { poolSize: 1, statementTimeoutMs: 100 });
  try {
    await expect(pool.query('SELECT pg_sleep(1)')).rejects.toMatchObject({ code: '57014' });
    await expect(pool.query('SELECT pg_sleep(0.01)')).resolves.toBeTruthy();
  } finally {
    await pool.end();
  }
});
