// Scenarios 1 and 2: the write path (POST /api/products) and the read path (GET /api/products/{id}) of
// product-api, at its shipped log level (info) and at warn, against servers doing exactly its SQL in the
// same run: a minimal Express 5 server (the yardstick), node:http (the floor of Node) and pgbench (the
// floor of Postgres). Then product-api as two processes on one port (Node's cluster), to show what a
// second core buys, and with HEAP_GROWTH_PERCENT=30, to show what a smaller heap costs.
import { Client } from 'pg';
import { WRITE_SCRIPT, pgbench, readScript } from '../baselines/pgbench';
import { createDatabases, freePort, peakRssMiB, productIds, startService } from '../infra';
import type { Service } from '../infra';
import { createProducts, readProducts } from '../load';
import type { LoadResult } from '../load';
import type { Row } from '../report';
import { round } from '../stats';
import type { Context } from './context';
import { ratio } from './context';

interface Contender {
  name: string;
  script: string;
  env: (port: number, databaseUrl: string, context: Context) => Record<string, string>;
  /** product-api as shipped, at either log level: held to the targets (a variant is only reported). */
  shipped?: boolean;
}

/** product-api as shipped at a log level, or a variant of it with more settings. */
const productApi = (logLevel: string, variant: { processes?: number; heapGrowthPercent?: number } = {}): Contender => {
  const settings: Record<string, string> = { LOG_LEVEL: logLevel };
  if (variant.heapGrowthPercent) settings.HEAP_GROWTH_PERCENT = String(variant.heapGrowthPercent);
  const processes = variant.processes ?? 1;
  const shown = Object.entries(settings).map(([name, value]) => `${name}=${value}`);
  return {
    name: `product-api${processes > 1 ? ` ×${processes} processes` : ''} (${shown.join(', ')})`,
    script: 'product-api/dist/main.js',
    env: (port, databaseUrl, context) => ({
      PRODUCT_API_PORT: String(port),
      PRODUCT_DATABASE_URL: databaseUrl,
      REDIS_URL: context.redis.url,
      PRODUCT_STREAM: `bench.http.${port}`,
      API_PROCESSES: String(processes),
      ...settings,
    }),
    shipped: processes === 1 && !variant.heapGrowthPercent,
  };
};

const baseline = (name: string, script: string): Contender => ({
  name,
  script,
  env: (port, databaseUrl) => ({ PORT: String(port), DATABASE_URL: databaseUrl, DB_POOL_SIZE: '10' }),
});

const MINIMAL_EXPRESS = 'minimal Express 5 + pg';

/** Writes for the configured time, then reads over the ids written, each on a database of its own. */
interface Measured {
  write: LoadResult;
  read: LoadResult;
  shipped: boolean;
}

async function measure(context: Context, contender: Contender): Promise<Measured> {
  const { sizes } = context;
  const databases = await createDatabases();
  const port = await freePort();
  let service: Service | undefined;
  try {
    service = await startService(contender.name, contender.script, contender.env(port, databases.productUrl, context), port);
    const url = `http://127.0.0.1:${port}`;
    context.log(`${contender.name}: POST /api/products, ${sizes.connections} connections, ${sizes.seconds} s`);
    const write = await createProducts(url, { connections: sizes.connections, seconds: sizes.seconds });
    const ids = await productIds(databases.productUrl);
    context.log(`${contender.name}: GET /api/products/{id} over ${ids.length} ids`);
    const read = await readProducts(url, ids, { connections: sizes.connections, seconds: sizes.seconds });
    for (const [name, load] of Object.entries({ write, read })) {
      if (load.non2xx || load.errors)
        context.notes.push(`${contender.name} ${name}: ${load.non2xx} non-2xx and ${load.errors} errors of ${load.requests}`);
    }
    context.rss['1-2 write, read'] = { ...context.rss['1-2 write, read'], [contender.name]: service.peakRssMiB() };
    return { write, read, shipped: contender.shipped ?? false };
  } finally {
    await service?.stop();
    await databases.drop();
  }
}

/** pgbench on the same SQL at the same concurrency: what Postgres alone does. */
async function pgbenchFloor(context: Context): Promise<{ write: number; read: number }> {
  const { sizes } = context;
  const databases = await createDatabases();
  try {
    context.log('pgbench: the same write and read');
    const write = await pgbench(databases.productUrl, WRITE_SCRIPT, sizes.connections, sizes.seconds);
    const client = new Client({ connectionString: databases.productUrl });
    await client.connect();
    await client.query('CREATE TABLE bench_ids (n serial PRIMARY KEY, id uuid NOT NULL)');
    await client.query('INSERT INTO bench_ids (id) SELECT id FROM products LIMIT 20000');
    const count = Number((await client.query<{ count: string }>('SELECT count(*) FROM bench_ids')).rows[0]?.count ?? 0);
    await client.end();
    const read = await pgbench(databases.productUrl, readScript(count), sizes.connections, sizes.seconds);
    return { write: write.tps, read: read.tps };
  } finally {
    await databases.drop();
  }
}

function rowsFor(path: 'write' | 'read', results: Map<string, Measured>, pgbenchTps: number): Row[] {
  const scenario = path === 'write' ? '1 write' : '2 read';
  const yardstick = results.get(MINIMAL_EXPRESS)?.[path];
  const rows: Row[] = [];
  for (const [name, result] of results) {
    const load = result[path];
    const isApi = name.startsWith('product-api');
    const share = ratio(load.rps, yardstick?.rps ?? null);
    rows.push({
      scenario,
      figure: `${name}: requests/s`,
      value: round(load.rps),
      unit: '',
      ...(isApi
        ? {
            baseline: { name: MINIMAL_EXPRESS, value: round(yardstick?.rps ?? 0) },
            ratio: share,
            ...(result.shipped ? { target: '≥ 0.80', met: (share ?? 0) >= 0.8 } : {}),
          }
        : { baseline: { name: 'pgbench tps', value: round(pgbenchTps) }, ratio: ratio(load.rps, pgbenchTps) }),
    });
    rows.push({
      scenario,
      figure: `${name}: p50 / p99 latency`,
      value: load.p99Ms,
      unit: 'ms',
      baseline: { name: 'p50', value: load.p50Ms },
      ...(result.shipped && path === 'write' ? { target: '≤ 30 ms (p99)', met: load.p99Ms <= 30 } : {}),
    });
  }
  return rows;
}

export async function httpScenarios(context: Context): Promise<void> {
  const contenders = [
    productApi('info'),
    productApi('warn'),
    baseline(MINIMAL_EXPRESS, 'bench/dist/baselines/express-server.js'),
    baseline('node:http + pg', 'bench/dist/baselines/node-http-server.js'),
    productApi('info', { processes: 2 }),
    productApi('info', { heapGrowthPercent: 30 }),
  ];
  const results = new Map<string, Measured>();
  for (const contender of contenders) results.set(contender.name, await measure(context, contender));
  const floor = await pgbenchFloor(context);
  context.rss['1-2 write, read'] = { ...context.rss['1-2 write, read'], 'bench (autocannon)': peakRssMiB(process.pid) };
  context.rows.push(...rowsFor('write', results, floor.write), ...rowsFor('read', results, floor.read));
}
