// `npm run db:migrate`: creates each database if it is missing and applies its pending migrations.
import { DATABASES } from './databases';
import type { DatabaseName } from './databases';
import { migrateDatabase } from './migrate';

async function main(): Promise<void> {
  for (const name of Object.keys(DATABASES) as DatabaseName[]) {
    const { urlVariable, defaultUrl } = DATABASES[name];
    const url = process.env[urlVariable] ?? defaultUrl;
    const host = new URL(url).host;
    process.stdout.write(`migrating ${name} database at ${host}${new URL(url).pathname}\n`);
    try {
      const output = await migrateDatabase(name, url);
      process.stdout.write(
        output
          .split('\n')
          .filter((line) => /migration|applied|No pending/i.test(line))
          .map((line) => `  ${line}\n`)
          .join(''),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`could not migrate the ${name} database (${urlVariable}=${url.replace(/\/\/[^@]*@/, '//***@')}):\n${message}\n`);
      process.stderr.write('Is PostgreSQL running? Start the local service, or: docker compose up -d postgres redis\n');
      process.exitCode = 1;
      return;
    }
  }
}

void main();
