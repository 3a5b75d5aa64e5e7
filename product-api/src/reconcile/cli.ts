// `npm run reconcile [-- --repair] [--json]`: compares products with inventory records and, with --repair,
// announces the drifted products again through the outbox. Exit codes: 0 no drift (or all of it repaired),
// 1 drift found, 2 the command is wrong, 3 a database does not answer.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, envPostgresUrl, errorMessage, parseConfig } from '@stockstream/platform';
import { createInventoryDb, createProductDb } from '@stockstream/prisma';
import type { ReconcileReport } from '@stockstream/contracts';
import { driftCount, reconcile } from './reconcile';

export const EXIT = { ok: 0, drift: 1, usage: 2, databaseDown: 3 } as const;

const USAGE = `usage: npm run reconcile [-- --repair] [--json] [--samples N]

  compares every product with its inventory record: missing records, orphans (a record with no product),
  records behind their product's version; --repair announces each drifted product's current state
  again through the outbox (the worker applies it; the inventory database is never written here)

environment: PRODUCT_DATABASE_URL, INVENTORY_DATABASE_URL`;

const CliConfig = z.object({
  PRODUCT_DATABASE_URL: envPostgresUrl('postgresql://postgres@127.0.0.1:5432/stockstream_products'),
  INVENTORY_DATABASE_URL: envPostgresUrl('postgresql://postgres@127.0.0.1:5432/stockstream_inventory'),
});

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

function describe(report: ReconcileReport): string[] {
  return [
    `products ${report.products}, inventory records ${report.records}`,
    `missing records: ${report.missing.count}${report.missing.samples.length ? ` (e.g. ${report.missing.samples.join(', ')})` : ''}`,
    `orphan records:  ${report.orphans.count}${report.orphans.samples.length ? ` (e.g. ${report.orphans.samples.join(', ')})` : ''}`,
    `behind:          ${report.behind.count}${
      report.behind.samples.length
        ? ` (e.g. ${report.behind.samples.map((s) => `${s.productId} at v${s.recordVersion} of v${s.productVersion}`).join(', ')})`
        : ''
    }`,
    report.repaired > 0
      ? `repaired: ${report.repaired} events written to the outbox`
      : driftCount(report) > 0
        ? 'run with --repair to repair'
        : 'no drift',
  ];
}

export async function reconcileCli(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let options: { repair: boolean; json: boolean; samples: number };
  let config: z.infer<typeof CliConfig>;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        repair: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        samples: { type: 'string', default: '10' },
      },
      strict: true,
    });
    const samples = Number(values.samples);
    if (!Number.isInteger(samples) || samples < 0 || samples > 1000) throw new TypeError('--samples must be a whole number from 0 to 1000');
    options = { repair: values.repair, json: values.json, samples };
    config = parseConfig(CliConfig, env);
  } catch (error) {
    io.err(`${error instanceof ConfigError ? error.message : errorMessage(error)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const products = createProductDb(config.PRODUCT_DATABASE_URL, { poolSize: 2 });
  const inventory = createInventoryDb(config.INVENTORY_DATABASE_URL, { poolSize: 2 });
  try {
    try {
      await Promise.all([products.$queryRaw`SELECT 1`, inventory.$queryRaw`SELECT 1`]);
    } catch (error) {
      io.err(`a database does not answer: ${errorMessage(error).split('\n').at(-1)}`);
      return EXIT.databaseDown;
    }
    const report = await reconcile(products, inventory, { repair: options.repair, samples: options.samples });
    if (options.json) io.out(JSON.stringify(report, null, 2));
    else describe(report).forEach((line) => io.out(line));
    return driftCount(report) === 0 || options.repair ? EXIT.ok : EXIT.drift;
  } finally {
    await Promise.all([products.$disconnect(), inventory.$disconnect()]);
  }
}

if (require.main === module) {
  reconcileCli(process.argv.slice(2), process.env, { out: (line) => console.log(line), err: (line) => console.error(line) }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`reconcile: ${errorMessage(error)}`);
      process.exit(4);
    },
  );
}
