// Scenarios 1 and 2: the write path (POST /api/products) and the read path (GET /api/products/{id}),
// each against pgbench doing the same SQL at the same concurrency, in the same run.
import { Client } from 'pg';
import { WRITE_SCRIPT, pgbench, readScript } from '../baselines/pgbench';
import { createDatabases, freePort, peakRssMiB, startService } from '../infra';
import { createProducts, readProducts } from '../load';
import { round } from '../stats';
import type { Context } from './context';
import { ratio } from './context';

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
    rows.push(
      {
        scenario: '1 write',
        figure: 'requests/s',
        value: round(write.rps),
        unit: '',
        baseline: { name: 'pgbench tps', value: round(writeBaseline.tps) },
        ratio: ratio(write.rps, writeBaseline.tps),
        target: '≥ 0.35',
        met: (ratio(write.rps, writeBaseline.tps) ?? 0) >= 0.35,
      },
      {
        scenario: '1 write',
        figure: 'p50 latency',
        value: write.p50Ms,
        unit: 'ms',
        baseline: { name: 'pgbench', value: round(writeBaseline.p50Ms, 2) },
      },
      {
        scenario: '1 write',
        figure: 'p99 latency',
        value: write.p99Ms,
        unit: 'ms',
        baseline: { name: 'pgbench', value: round(writeBaseline.p99Ms, 2) },
        target: '≤ 30 ms',
        met: write.p99Ms <= 30,
      },
    );
    if (write.non2xx || write.errors)
      context.notes.push(`write: ${write.non2xx} non-2xx answers and ${write.errors} errors out of ${write.requests}`);

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
    rows.push(
      {
        scenario: '2 read',
        figure: 'requests/s',
        value: round(read.rps),
        unit: '',
        baseline: { name: 'pgbench tps', value: round(readBaseline.tps) },
        ratio: ratio(read.rps, readBaseline.tps),
        target: '≥ 0.30',
        met: (ratio(read.rps, readBaseline.tps) ?? 0) >= 0.3,
      },
      {
        scenario: '2 read',
        figure: 'p50 latency',
        value: read.p50Ms,
        unit: 'ms',
        baseline: { name: 'pgbench', value: round(readBaseline.p50Ms, 2) },
      },
      {
        scenario: '2 read',
        figure: 'p99 latency',
        value: read.p99Ms,
        unit: 'ms',
        baseline: { name: 'pgbench', value: round(readBaseline.p99Ms, 2) },
      },
    );
    if (read.non2xx || read.errors)
      context.notes.push(`read: ${read.non2xx} non-2xx answers and ${read.errors} errors out of ${read.requests}`);
  } finally {
    context.rss['1-2 write, read'] = { 'product-api': productApi.peakRssMiB(), 'bench (autocannon)': peakRssMiB(process.pid) };
    await productApi.stop();
    await databases.drop();
  }
}
