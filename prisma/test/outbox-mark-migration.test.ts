// The migration to the relay's mark (docs/decisions/0009) keeps what was published published and
// leaves nothing unpublished behind the mark: run on data written by the schema before it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { DATABASES, withDatabase } from '@stockstream/prisma';
import { dropDatabase, ensureDatabase } from '@stockstream/prisma/migrate';
import { TEST_SERVER_URL } from '@stockstream/prisma/testing';

const MIGRATIONS = path.join(path.dirname(DATABASES.product.configPath), 'migrations');
const MARK_MIGRATION = '20261126010304_outbox_claimed_by_transaction_id';
const migrationSql = (name: string) => fs.readFileSync(path.join(MIGRATIONS, name, 'migration.sql'), 'utf8');
const before = fs
  .readdirSync(MIGRATIONS)
  .filter((name) => /^\d+_/.test(name) && name < MARK_MIGRATION)
  .sort();

let url: string;
let client: Client;
beforeEach(async () => {
  url = withDatabase(TEST_SERVER_URL, `test_mark_${randomUUID().replaceAll('-', '')}`);
  await ensureDatabase(url);
  client = new Client({ connectionString: url });
  await client.connect();
  for (const name of before) await client.query(migrationSql(name));
  await client.query("INSERT INTO relay_state (stream, epoch) VALUES ('products.events', 'e'), ('other', 'e')");
});
afterEach(async () => {
  await client.end();
  await dropDatabase(url);
});

/** Outbox rows at positions 1.. , published or not as listed. */
async function outbox(published: boolean[]): Promise<void> {
  for (const isPublished of published) {
    await client.query(
      `INSERT INTO outbox (event_id, product_id, type, envelope, published_at)
       VALUES (gen_random_uuid(), gen_random_uuid(), 'product.created', '{}', ${isPublished ? 'now()' : 'NULL'})`,
    );
  }
}

async function marks(): Promise<{ stream: string; published_txid: string; published_position: string }[]> {
  await client.query(migrationSql(MARK_MIGRATION));
  const { rows } = await client.query<{ stream: string; published_txid: string; published_position: string }>(
    'SELECT stream, published_txid::text, published_position::text FROM relay_state ORDER BY stream',
  );
  return rows;
}

test('each mark starts just below the first row not yet published; rows published above it go out again', async () => {
  await outbox([true, true, false, true, false]);
  expect(await marks()).toEqual([
    { stream: 'other', published_txid: '0', published_position: '2' },
    { stream: 'products.events', published_txid: '0', published_position: '2' },
  ]);
  const { rows } = await client.query<{ position: string; txid: string }>(
    'SELECT position::text, txid::text FROM outbox ORDER BY position',
  );
  expect(rows.every((row) => row.txid === '0')).toBe(true);
  // A row written after the migration takes its own transaction's id, above every mark.
  await client.query("INSERT INTO outbox (event_id, product_id, type, envelope) VALUES (gen_random_uuid(), gen_random_uuid(), 'x', '{}')");
  const { rows: fresh } = await client.query<{ after: boolean }>("SELECT txid > '0'::xid8 AS after FROM outbox WHERE position > 5");
  expect(fresh).toEqual([{ after: true }]);
});

test('with everything published the mark is the last row', async () => {
  await outbox([true, true, true]);
  expect((await marks()).map((row) => row.published_position)).toEqual(['3', '3']);
});

test('with an empty outbox the mark is the start', async () => {
  expect((await marks()).map((row) => row.published_position)).toEqual(['0', '0']);
});
