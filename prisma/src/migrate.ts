import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DATABASES, PRISMA_CLI_PATH, SCHEMA_ENGINE_PATH, databaseNameOf, withDatabase } from './databases';
import type { DatabaseName } from './databases';

const run = promisify(execFile);

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withAdminClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database the URL names, if it is missing (optionally as a copy of a template). */
export async function ensureDatabase(url: string, template?: string): Promise<void> {
  const name = databaseNameOf(url);
  await withAdminClient(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return;
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}${template ? ` TEMPLATE ${quoteIdentifier(template)}` : ''}`);
  });
}

export async function dropDatabase(url: string): Promise<void> {
  await withAdminClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(databaseNameOf(url))} WITH (FORCE)`));
}

/** Runs the standard Prisma CLI with the offline schema engine, in the folder of the given prisma.config.ts. */
export async function runPrismaCli(
  configPath: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [PRISMA_CLI_PATH, ...args, '--config', configPath], {
    cwd: path.dirname(configPath),
    env: { ...process.env, ...env, PRISMA_SCHEMA_ENGINE_BINARY: SCHEMA_ENGINE_PATH, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    maxBuffer: 10 * 1024 * 1024,
  });
}

/** The Prisma CLI against one of our databases, at the given URL. */
export function prismaCli(database: DatabaseName, url: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const { configPath, urlVariable } = DATABASES[database];
  return runPrismaCli(configPath, args, { [urlVariable]: url });
}

/** Creates the database if missing and applies its pending migrations (`prisma migrate deploy`). */
export async function migrateDatabase(database: DatabaseName, url: string): Promise<string> {
  await ensureDatabase(url);
  const { stdout } = await prismaCli(database, url, ['migrate', 'deploy']);
  return stdout;
}
