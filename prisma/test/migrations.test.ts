// Guards the offline schema engine (prisma/engine) and the committed migrations: an upgrade of Prisma
// that breaks the stand-in, or a schema.prisma changed without its migration, fails here.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DATABASES, withDatabase } from '@stockstream/prisma';
import { dropDatabase, ensureDatabase, prismaCli, runPrismaCli } from '@stockstream/prisma/migrate';
import type { DatabaseName } from '@stockstream/prisma';
import { TEST_SERVER_URL } from '@stockstream/prisma/testing';

const scratch: string[] = [];
async function scratchDatabase(): Promise<string> {
  const url = withDatabase(TEST_SERVER_URL, `test_scratch_${randomUUID().replaceAll('-', '')}`);
  await ensureDatabase(url);
  scratch.push(url);
  return url;
}
afterAll(async () => {
  for (const url of scratch) await dropDatabase(url);
});

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function failureOf(promise: Promise<unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
  return promise.then(
    () => ({ code: 0, stdout: '', stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe.each(Object.keys(DATABASES) as DatabaseName[])('the %s database', (database) => {
  const folder = path.dirname(DATABASES[database].configPath);

  test('migrate deploy applies every migration with the bookkeeping of the native engine, and status agrees', async () => {
    const url = await scratchDatabase();
    const { stdout } = await prismaCli(database, url, ['migrate', 'deploy']);
    expect(stdout).toContain('All migrations have been successfully applied');
    const applied = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    const onDisk = fs
      .readdirSync(path.join(folder, 'migrations'))
      .filter((name) => /^\d+_/.test(name))
      .sort();
    expect(applied.map((row) => row.migration_name)).toEqual(onDisk);
    for (const row of applied) {
      const sql = fs.readFileSync(path.join(folder, 'migrations', row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
    }
    const status = await prismaCli(database, url, ['migrate', 'status']);
    expect(status.stdout).toContain('Database schema is up to date!');
  });

  test('schema.prisma and the committed migrations agree (no drift)', async () => {
    const url = await scratchDatabase();
    // Replays every migration in a shadow database and inspects it, CHECK constraints included.
    const { stdout } = await prismaCli(database, url, [
      'migrate',
      'diff',
      '--from-migrations',
      'migrations',
      '--to-schema',
      'schema.prisma',
      '--exit-code',
    ]);
    expect(stdout).toContain('No difference detected.');
  });
});

describe('the offline schema engine', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockstream-engine-'));
    fs.mkdirSync(path.join(dir, 'migrations'));
    fs.writeFileSync(path.join(dir, 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
    fs.writeFileSync(
      path.join(dir, 'prisma.config.ts'),
      "export default { schema: 'schema.prisma', migrations: { path: 'migrations' }, datasource: { url: process.env.SCRATCH_DATABASE_URL } };\n",
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function writeMigration(name: string, sql: string) {
    fs.mkdirSync(path.join(dir, 'migrations', name));
    fs.writeFileSync(path.join(dir, 'migrations', name, 'migration.sql'), sql);
  }
  function writeSchema(models: string) {
    fs.writeFileSync(path.join(dir, 'schema.prisma'), `datasource db {\n  provider = "postgresql"\n}\n${models}`);
  }

  test('reports drift: a model missing from the migrations gives exit code 2 and the SQL that is missing', async () => {
    const url = await scratchDatabase();
    writeMigration('20260101000000_init', 'CREATE TABLE "a" ("id" INTEGER NOT NULL, CONSTRAINT "a_pkey" PRIMARY KEY ("id"));\n');
    writeSchema('model a {\n  id Int @id\n}\nmodel b {\n  id Int @id\n}\n');
    const diff = await failureOf(
      runPrismaCli(
        path.join(dir, 'prisma.config.ts'),
        ['migrate', 'diff', '--from-migrations', 'migrations', '--to-schema', 'schema.prisma', '--script', '--exit-code'],
        { SCRATCH_DATABASE_URL: url },
      ),
    );
    expect(diff.code).toBe(2);
    expect(diff.stdout).toContain('CREATE TABLE "b"');
    // The replay ran in a shadow database of its own, not in the main one, and that database is dropped
    // (by the engine process, which the CLI leaves to finish after it has its answer).
    expect(await query(url, "SELECT 1 FROM pg_tables WHERE tablename = 'a'")).toHaveLength(0);
    let shadows: unknown[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      shadows = await query(TEST_SERVER_URL, "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_shadow_%'");
      if (shadows.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(shadows).toEqual([]);
  });

  test('applies a migration whole: a $$ function body with semicolons works, and a failing migration leaves nothing half done', async () => {
    const url = await scratchDatabase();
    writeSchema('model a {\n  id Int @id\n}\n');
    writeMigration('20260101000000_init', 'CREATE TABLE "a" ("id" INTEGER NOT NULL, CONSTRAINT "a_pkey" PRIMARY KEY ("id"));\n');
    writeMigration(
      '20260101000001_function',
      'CREATE FUNCTION twice(x integer) RETURNS integer AS $$\nBEGIN\n  RETURN x * 2; -- a comment; with a semicolon\nEND;\n$$ LANGUAGE plpgsql;\n',
    );
    const config = path.join(dir, 'prisma.config.ts');
    await runPrismaCli(config, ['migrate', 'deploy'], { SCRATCH_DATABASE_URL: url });
    expect(await query(url, 'SELECT twice(21) AS answer')).toEqual([{ answer: 42 }]);

    writeMigration('20260101000002_broken', 'CREATE TABLE "half" ("id" INTEGER);\nSELECT no_such_function();\n');
    const failed = await failureOf(runPrismaCli(config, ['migrate', 'deploy'], { SCRATCH_DATABASE_URL: url }));
    expect(failed.code).not.toBe(0);
    expect(await query(url, "SELECT 1 FROM pg_tables WHERE tablename = 'half'")).toHaveLength(0);
    const next = await failureOf(runPrismaCli(config, ['migrate', 'deploy'], { SCRATCH_DATABASE_URL: url }));
    expect(`${next.stdout}${next.stderr}`).toContain('migrate found failed migrations');
  });
});
