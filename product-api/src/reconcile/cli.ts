// `npm run reconcile [-- --repair [--delete-with-history]] [--json]`: compares products with inventory
// records and, with --repair, announces the drifted products again through the outbox. Exit codes: 0 no
// drift (or all of it repaired), 1 drift found (or left: orphans kept), 2 the command is wrong, 3 a
// database does not answer, 5 another run is going on.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, cliActor, envPostgresUrl, errorMessage, exitWhenFlushed, parseConfig } from '@stockstream/platform';
import { DATABASES, createPool } from '@stockstream/prisma';
import { createProductDb } from '@stockstream/prisma/product';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { ReconcileReport } from '@stockstream/contracts';
import { driftCount } from './reconcile';
import { auditedReconcile } from './reconcile-audit';
import { ReconcileRunning } from './one-run-at-a-time';

export const EXIT = { ok: 0, drift: 1, usage: 2, databaseDown: 3, running: 5 } as const;

const USAGE = `usage: npm run reconcile [-- --repair [--delete-with-history]] [--json] [--samples N]

  compares every product with its inventory record: missing records, orphans (a record a product event
  made, with no product), records behind their product's version; --repair announces each drifted
  product's current state again through the outbox (the worker applies it; the inventory database is
  never written here). Records made through inventory-api (POST /api/inventory) are listed, never
  deleted; orphans holding reservations or stock adjustments are kept unless --delete-with-history.

environment: PRODUCT_DATABASE_URL, INVENTORY_DATABASE_URL`;

const CliConfig = z.object({
  PRODUCT_DATABASE_URL: envPostgresUrl(DATABASES.product.defaultUrl),
  INVENTORY_DATABASE_URL: envPostgresUrl(DATABASES.inventory.defaultUrl),
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
    `  kept (reservations or adjustments; --delete-with-history to delete): ${report.kept.count}${
      report.kept.samples.length ? ` (e.g. ${report.kept.samples.join(', ')})` : ''
    }`,
    `made by inventory-api, no product (never deleted): ${report.madeByApi.count}${
      report.madeByApi.samples.length ? ` (e.g. ${report.madeByApi.samples.join(', ')})` : ''
    }`,
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
  let options: { repair: boolean; deleteWithHistory: boolean; json: boolean; samples: number };
  let config: z.infer<typeof CliConfig>;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        repair: { type: 'boolean', default: false },
        'delete-with-history': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        samples: { type: 'string', default: '10' },
      },
      strict: true,
    });
    const samples = Number(values.samples);
    if (!Number.isInteger(samples) || samples < 0 || samples > 1000) throw new TypeError('--samples must be a whole number from 0 to 1000');
    if (values['delete-with-history'] && !values.repair) throw new TypeError('--delete-with-history goes with --repair');
    options = { repair: values.repair, deleteWithHistory: values['delete-with-history'], json: values.json, samples };
    config = parseConfig(CliConfig, env);
  } catch (error) {
    io.err(`${error instanceof ConfigError ? error.message : errorMessage(error)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  // The run's lock holds one connection of the products pool for the whole run.
  const productsPool = createPool(config.PRODUCT_DATABASE_URL, { poolSize: 3 });
  const products = createProductDb(productsPool);
  const inventory = createInventoryDb(config.INVENTORY_DATABASE_URL, { poolSize: 2 });
  try {
    try {
      await Promise.all([products.$queryRaw`SELECT 1`, inventory.$queryRaw`SELECT 1`]);
    } catch (error) {
      io.err(`a database does not answer: ${errorMessage(error).split('\n').at(-1)}`);
      return EXIT.databaseDown;
    }
    const { repair, deleteWithHistory, samples } = options;
    let report: ReconcileReport;
    try {
      report = await auditedReconcile({ products, productsPool, inventory }, { repair, deleteWithHistory, samples }, cliActor());
    } catch (error) {
      if (!(error instanceof ReconcileRunning)) throw error;
      io.err(`${error.message}: nothing done; try again when it has finished`);
      return EXIT.running;
    }
    if (options.json) io.out(JSON.stringify(report, null, 2));
    else describe(report).forEach((line) => io.out(line));
    if (options.repair) return report.kept.count === 0 ? EXIT.ok : EXIT.drift;
    return driftCount(report) === 0 ? EXIT.ok : EXIT.drift;
  } finally {
    await Promise.all([products.$disconnect(), inventory.$disconnect()]);
    await productsPool.end();
  }
}

if (require.main === module) {
  reconcileCli(process.argv.slice(2), process.env, { out: (line) => console.log(line), err: (line) => console.error(line) }).then(
    (code) => exitWhenFlushed(code),
    (error: unknown) => {
      console.error(`reconcile: ${errorMessage(error)}`);
      exitWhenFlushed(4);
    },
  );
}
