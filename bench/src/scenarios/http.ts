// Scenarios 1 and 2: the write path (POST /api/products) and the read path (GET /api/products/{id}),
// each against pgbench doing the same SQL at the same concurrency, in the same run.
import { Client } from 'pg';
import { WRITE_SCRIPT, pgbench, readScript } from '../baselines/pgbench';
import type { PgbenchResult } from '../baselines/pgbench';
import { createDatabases, freePort, peakRssMiB, startService } from '../infra';
import { createProducts, readProducts } from '../load';
import type { LoadResult } from '../load';
import type { Row } from '../report';
import { round } from '../stats';
import type { Context } from './context';
import { ratio } from './context';

/** Requests/s against the baseline's tps, and p50/p99 beside its latencies. */
function loadRows(scenario: string, load: LoadResult, baseline: PgbenchResult, target: { ratio: number; p99Ms?: number }): Row[] {
  const share = ratio(load.rps, baseline.tps);
  return [
    {
      scenario,
      figure: 'requests/s',
      value: round(load.rps),
      unit: '',
      baseline: { name: 'pgbench tps', value: round(baseline.tps) },
      ratio: share,
      target: `≥ ${target.ratio.toFixed(2)}`,
      met: (share ?? 0) >= target.ratio,
    },
    { scenario, figure: 'p50 latency', value: load.p50Ms, unit: 'ms', baseline: { name: 'pgbench', value: round(baseline.p50Ms, 2) } },
    {
      scenario,
      figure: 'p99 latency',
      value: load.p99Ms,
      unit: 'ms',
      baseline: { name: 'pgbench', value: round(baseline.p99Ms, 2) },
      ...(target.p99Ms === undefined ? {} : { target: `≤ ${target.p99Ms} ms`, met: load.p99Ms <= target.p99Ms }),
    },
  ];
}

function noteFailures(context: Context, name: string, load: LoadResult): void {
  if (load.non2xx || load.errors)
    context.notes.push(`${name}: ${load.non2xx} non-2xx answers and ${load.errors} errors out of ${load.requests}`);
}

export async function httpScenarios(context: Context): Promise<void> {
  const { sizes, rows } = context;
  const databases = await createDatabases();
  const port = await freePort();
  const productApi = await startService(
    'product-api',
    'product-api/dist/main.js',
    {
      PRODUCT_API_PORT: String(port),
      PRODUCT_DATABASE_URL: databases.productUrl,
      REDIS_URL: context.redis.url,
      PRODUCT_STREAM: 'bench.write',
    },
    port,
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    context.log(`write: POST /api/products, ${sizes.connections} connections, ${sizes.seconds} s`);
    const write = await createProducts(url, { connections: sizes.connections, seconds: sizes.seconds });
    context.log(`write baseline: pgbench, same transaction`);
    const writeBaseline = await pgbench(databases.productUrl, WRITE_SCRIPT, sizes.connections, sizes.seconds);
    rows.push(...loadRows('1 write', write, writeBaseline, { ratio: 0.35, p99Ms: 30 }));
    noteFailures(context, 'write', write);

    const client = new Client({ connectionString: databases.productUrl });
    await client.connect();
    const { rows: idRows } = await client.query<{ id: string }>('SELECT id FROM products LIMIT 20000');
    await client.query('CREATE TABLE bench_ids (n serial PRIMARY KEY, id uuid NOT NULL)');
    await client.query('INSERT INTO bench_ids (id) SELECT id FROM products LIMIT 20000');
    await client.end();
    const ids = idRows.map((row) => row.id);

    context.log(`read: GET /api/products/{id} over ${ids.length} ids`);
    const read = await readProducts(url, ids, { connections: sizes.connections, seconds: sizes.seconds });
    const readBaseline = await pgbench(databases.productUrl, readScript(ids.length), sizes.connections, sizes.seconds);
    rows.push(...loadRows('2 read', read, readBaseline, { ratio: 0.3 }));
    noteFailures(context, 'read', read);
  } finally {
    context.rss['1-2 write, read'] = { 'product-api': productApi.peakRssMiB(), 'bench (autocannon)': peakRssMiB(process.pid) };
    await productApi.stop();
    await databases.drop();
  }
}
