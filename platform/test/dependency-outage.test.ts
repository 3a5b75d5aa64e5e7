// What failed decides whether an error is an outage, not its code: the same SQLSTATE from a statement on a
// working connection is the caller's (or a bug's), from getting a connection it is the database away.
import { Client } from 'pg';
import { ConnectionFailedError, createPool, withDatabase } from '@stockstream/prisma';
import { TEST_SERVER_URL } from '@stockstream/prisma/testing';
import { unavailableDependency } from '../src/http/dependency-outage';

const errorOf = (work: () => Promise<unknown>) =>
  work().then(
    () => undefined,
    (error: unknown) => error,
  );

test('when a statement on a working connection raises 55000 (object not in prerequisite state), it is not an outage', async () => {
  const client = new Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  await client.query('CREATE TEMP SEQUENCE never_used');
  const error = await errorOf(() => client.query("SELECT currval('never_used')"));
  await client.end();
  expect(error).toMatchObject({ code: '55000', severity: 'ERROR' });
  expect(unavailableDependency(error)).toBeUndefined();
});

test('when getting a connection fails, whatever the server said, it is the database away', async () => {
  const pool = createPool(withDatabase(TEST_SERVER_URL, 'stockstream_no_such_database'), { poolSize: 1 });
  const error = await errorOf(() => pool.query('SELECT 1'));
  await pool.end();
  expect(error).toBeInstanceOf(ConnectionFailedError);
  expect((error as ConnectionFailedError).cause).toMatchObject({ code: '3D000' });
  expect(unavailableDependency(error)).toBe('database');
});

test('when the server ends the session under a statement (FATAL), it is the database away', async () => {
  const client = new Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  client.on('error', () => undefined);
  const error = await errorOf(() => client.query('SELECT pg_terminate_backend(pg_backend_pid())'));
  await client.end().catch(() => undefined);
  expect(error).toMatchObject({ code: '57P01', severity: 'FATAL' });
  expect(unavailableDependency(error)).toBe('database');
});

test('a constraint violation is not an outage', () => {
  expect(unavailableDependency(Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' }))).toBeUndefined();
});

test('Redis saying it cannot serve now (a Cluster slot without a primary, a failover, a demoted primary) is Redis away; a wrong command is not', () => {
  class ErrorReply extends Error {}
  expect(unavailableDependency(new ErrorReply('CLUSTERDOWN The cluster is down'))).toBe('redis');
  expect(unavailableDependency(new ErrorReply('TRYAGAIN Multiple keys request during rehashing of slot'))).toBe('redis');
  expect(unavailableDependency(new ErrorReply("READONLY You can't write against a read only replica."))).toBe('redis');
  expect(unavailableDependency(new ErrorReply('LOADING Redis is loading the dataset in memory'))).toBe('redis');
  expect(unavailableDependency(new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBeUndefined();
  expect(unavailableDependency(new ErrorReply('NOPERM User worker has no permissions to run the set command'))).toBeUndefined();
});
