// Test databases: each test file gets its own, cloned from a migrated template, and drops it after.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { DATABASES, withDatabase } from './databases';
import type { DatabaseName } from './databases';
import { dropDatabase, ensureDatabase, migrateDatabase } from './migrate';

export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Named after the migrations it holds, so a changed migration makes a new template. */
function templateName(database: DatabaseName): string {
  const dir = path.join(path.dirname(DATABASES[database].configPath), 'migrations');
  const hash = createHash('sha256');
  for (const entry of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const file = path.join(dir, entry);
    if (fs.statSync(file).isFile()) hash.update(entry).update(fs.readFileSync(file));
  }
  return `stockstream_tpl_${database}_${hash.digest('hex').slice(0, 12)}`;
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount !== 0;
  } finally {
    await client.end();
  }
}

/** Migrates a template per database once (jest's globalSetup); concurrent runs each build their own and one wins. */
export async function prepareTestTemplates(): Promise<void> {
  for (const database of Object.keys(DATABASES) as DatabaseName[]) {
    const template = templateName(database);
    if (await databaseExists(template)) continue;
    const building = withDatabase(TEST_SERVER_URL, `${template}_${randomUUID().slice(0, 8)}`);
    await migrateDatabase(database, building);
    const client = new Client({ connectionString: TEST_SERVER_URL });
    await client.connect();
    try {
      await client.query(`ALTER DATABASE "${new URL(building).pathname.slice(1)}" RENAME TO "${template}"`);
    } catch {
      await dropDatabase(building); // another run made it first
    } finally {
      await client.end();
    }
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
  /** Makes it again from the migrated template, as it was made (after a test dropped it). */
  recreate(): Promise<void>;
}

export async function createTestDatabase(database: DatabaseName): Promise<TestDatabase> {
  const url = withDatabase(TEST_SERVER_URL, `test_${database}_${randomUUID().replaceAll('-', '')}`);
  const create = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ensureDatabase(url, templateName(database));
      } catch (error) {
        // Postgres refuses a clone while another session copies the same template; it is brief.
        if (attempt >= 20 || !String(error).includes('being accessed by other users')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  };
  await create();
  return { url, drop: () => dropDatabase(url), recreate: create };
}
