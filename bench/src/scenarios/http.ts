// Scenarios 1 and 2: the write path (POST /api/products) and the read path (GET /api/products/{id}) of
// product-api, at its shipped log level (info) and at warn, against servers doing exactly its SQL in the
// same run: a minimal Express 5 server (the yardstick, its statements unnamed, served by app.listen; and
// beside it the same server naming them, and the same server served with the request classes, each as
// product-api does), node:http (the floor of Node) and pgbench (the floor of Postgres). Then product-api
// as two processes on one port (Node's cluster), to show what a second core buys, and with a small heap
// (SMALL_HEAP), to show what it costs. All run at once and take the load in
// turns, in rounds, so that the machine's drift falls on every one alike.
import path from 'node:path';
import { Client } from 'pg';
import { WRITE_SCRIPT, pgbench, readScript } from '../baselines/pgbench';
import { createDatabases, freePort, peakRssMiB, productIds, startOtlpSink, startService } from '../infra';
import type { Databases, OtlpSink, Service } from '../infra';
import { createProducts, readProducts } from '../load';
import type { LoadResult } from '../load';
import type { Row } from '../report';
import { mean, percentile, round, sum } from '../stats';
import type { Context } from './context';
import { SMALL_HEAP, ratio, settingsLabel, tracing } from './context';

interface Contender {
  name: string;
  script: string;
  env: (port: number, databaseUrl: string, context: Context) => Record<string, string>;
  /** product-api as shipped, at either log level: held to the targets (a variant is only reported). */
  shipped?: boolean;
}

/** Where the tracing contenders send their spans. */
let otlpSink: OtlpSink | undefined;

/** product-api as shipped at a log level, or a variant of it with more settings (another checkout's build, with `root`). */
const productApi = (
  logLevel: string,
  variant: { processes?: number; smallHeap?: boolean; tracing?: number; root?: string; label?: string } = {},
): Contender => {
  const settings: Record<string, string> = {
    LOG_LEVEL: logLevel,
    ...(variant.smallHeap ? SMALL_HEAP : {}),
    ...(variant.tracing === undefined ? {} : tracing(variant.tracing)),
  };
  const processes = variant.processes ?? 1;
  return {
    name: `product-api${variant.label ?? ''}${processes > 1 ? ` ×${processes} processes` : ''} (${settingsLabel(settings)})`,
    script: variant.root ? path.join(variant.root, 'product-api/dist/main.js') : 'product-api/dist/main.js',
    env: (port, databaseUrl, context) => ({
      PRODUCT_API_PORT: String(port),
      PRODUCT_DATABASE_URL: databaseUrl,
      REDIS_URL: context.redis.url,
      PRODUCT_STREAM: `bench.http.${port}`,
      API_PROCESSES: String(processes),
      ...(variant.tracing === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink?.url ?? '' }),
      ...settings,
    }),
    shipped: processes === 1 && !variant.smallHeap && variant.tracing === undefined && variant.root === undefined,
  };
};

const baseline = (name: string, script: string, settings: Record<string, string> = {}): Contender => ({
  name,
  script,
  env: (port, databaseUrl) => ({ PORT: String(port), DATABASE_URL: databaseUrl, DB_POOL_SIZE: '10', ...settings }),
});

const MINIMAL_EXPRESS = 'minimal Express 5 + pg';
/** Rounds of the full run's load: each contender gets a quarter of the time four times, in turn. */
const ROUNDS = 4;
/**
 * Load each contender takes before its rounds, not counted: a service runs for days, and its first
 * seconds, while V8 compiles its path, are not its rate. product-api has more code to compile than the
 * minimal servers, so counting them weighed on it most (eight rounds of 8 s, product-api against minimal
 * Express alone: its first round of writes 22 % below the mean of its other seven, the yardstick's 15 %).
 */
const WARM_UP_SECONDS = 2;

interface Measured {
  write: LoadResult;
  read: LoadResult;
  shipped: boolean;
}

/** A contender started on a database of its own, with the load it has had so far. */
interface Running {
  contender: Contender;
  service: Service;
  databases: Databases;
  url: string;
  writes: LoadResult[];
  reads: LoadResult[];
}

async function start(context: Context, contender: Contender): Promise<Running> {
  const databases = await createDatabases();
  try {
    const port = await freePort();
    const service = await startService(contender.name, contender.script, contender.env(port, databases.productUrl, context), port);
    return { contender, service, databases, url: `http://127.0.0.1:${port}`, writes: [], reads: [] };
  } catch (error) {
    await databases.drop();
    throw error;
  }
}

/** Rounds of equal length: their mean rate, the median of their percentiles, every request counted. */
function combined(rounds: LoadResult[]): LoadResult {
  const median = (values: number[]) => percentile(values, 50) ?? 0;
  return {
    rps: mean(rounds.map((round) => round.rps)) ?? 0,
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    requests: sum(rounds.map((round) => round.requests)),
    non2xx: sum(rounds.map((round) => round.non2xx)),
    errors: sum(rounds.map((round) => round.errors)),
  };
}

/**
 * Every contender runs at once, idle but for its turn, and the load goes to each in turn for a round
 * (each round starting with the next contender): this machine's speed drifts by up to a quarter within
 * an hour, and measured one after the other, a contender's ratio to the yardstick took that drift in.
 * Writes for the configured time in all, then reads over the ids each wrote; each after a warm-up.
 */
async function measureInRounds(context: Context, contenders: Contender[]): Promise<Map<string, Measured>> {
  const { sizes } = context;
  const rounds = sizes.seconds >= 8 ? ROUNDS : 1;
  const seconds = sizes.seconds / rounds;
  const running: Running[] = [];
  try {
    for (const contender of contenders) running.push(await start(context, contender));
    const inTurn = (round: number) => [...running.slice(round % running.length), ...running.slice(0, round % running.length)];
    const warmUp = { connections: sizes.connections, seconds: Math.min(WARM_UP_SECONDS, seconds) };
    context.log(`POST /api/products, warm-up: ${warmUp.seconds} s each, not counted`);
    for (const contender of running) await createProducts(contender.url, warmUp);
    for (let round = 0; round < rounds; round++) {
      context.log(`POST /api/products, round ${round + 1} of ${rounds}: ${seconds} s each, ${sizes.connections} connections`);
      for (const contender of inTurn(round))
        contender.writes.push(await createProducts(contender.url, { connections: sizes.connections, seconds }));
    }
    const ids = new Map<Running, string[]>();
    for (const contender of running) ids.set(contender, await productIds(contender.databases.productUrl));
    context.log(`GET /api/products/{id}, warm-up: ${warmUp.seconds} s each, not counted`);
    for (const contender of running) await readProducts(contender.url, ids.get(contender) ?? [], warmUp);
    for (let round = 0; round < rounds; round++) {
      context.log(`GET /api/products/{id}, round ${round + 1} of ${rounds}: ${seconds} s each over the ids each wrote`);
      for (const contender of inTurn(round))
        contender.reads.push(await readProducts(contender.url, ids.get(contender) ?? [], { connections: sizes.connections, seconds }));
    }
    const results = new Map<string, Measured>();
    for (const { contender, service, writes, reads } of running) {
      const write = combined(writes);
      const read = combined(reads);
      for (const [name, load] of Object.entries({ write, read })) {
        if (load.non2xx || load.errors)
          context.notes.push(`${contender.name} ${name}: ${load.non2xx} non-2xx and ${load.errors} errors of ${load.requests}`);
      }
      context.rss['1-2 write, read'] = { ...context.rss['1-2 write, read'], [contender.name]: service.peakRssMiB() };
      results.set(contender.name, { write, read, shipped: contender.shipped ?? false });
    }
    return results;
  } finally {
    await Promise.all(running.map((contender) => contender.service.stop()));
    await Promise.all(running.map((contender) => contender.databases.drop()));
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
      figure: `${name}: p50 / p99 latency (median of the rounds)`,
      value: load.p99Ms,
      unit: 'ms',
      baseline: { name: 'p50', value: load.p50Ms },
      ...(result.shipped && path === 'write' ? { target: '≤ 30 ms (p99)', met: load.p99Ms <= 30 } : {}),
    });
  }
  return rows;
}

/** Tracing's cost: product-api with tracing on, as a share of the same with it off (the shipped product-api at info). */
function tracingRows(path: 'write' | 'read', results: Map<string, Measured>): Row[] {
  const scenario = path === 'write' ? '1 write' : '2 read';
  const off = results.get(productApi('info').name)?.[path];
  return [...results.entries()]
    .filter(([name]) => name.includes('OTEL_TRACES_SAMPLER') || name.includes(' at '))
    .map(([name, result]) => {
      const share = ratio(result[path].rps, off?.rps ?? null);
      const full = name.includes('OTEL_TRACES_SAMPLER_ARG=1)');
      const before = name.includes(' at ');
      return {
        scenario,
        figure: `${name} / tracing off: requests/s`,
        value: share,
        unit: '',
        baseline: { name: 'product-api (LOG_LEVEL=info), tracing off', value: round(off?.rps ?? 0) },
        ...(full ? { target: '≥ 0.90', met: (share ?? 0) >= 0.9 } : {}),
        // The code before tracing, in the same run: tracing off (the SDK's API loaded) must cost nothing.
        ...(before ? { target: 'tracing off ≥ 0.97 of it', met: share === null ? null : 1 / share >= 0.97 } : {}),
      };
    });
}

export async function httpScenarios(context: Context): Promise<void> {
  // BENCH_COMPARE_WITH=<another checkout, built>: its product-api runs beside this one, in the same rounds.
  const other = process.env.BENCH_COMPARE_WITH;
  otlpSink = await startOtlpSink();
  const contenders = [
    productApi('info'),
    productApi('warn'),
    baseline(MINIMAL_EXPRESS, 'bench/dist/baselines/express-server.js'),
    // The yardstick as the issue defines it sends its statements unnamed; this one names them as product-api does.
    baseline(`${MINIMAL_EXPRESS}, named statements`, 'bench/dist/baselines/express-server.js', { NAMED_STATEMENTS: 'true' }),
    // ...and this one is served with the request classes product-api is served with (requestClassesOf).
    baseline(`${MINIMAL_EXPRESS}, own request classes`, 'bench/dist/baselines/express-server.js', { OWN_REQUEST_CLASSES: 'true' }),
    baseline('node:http + pg', 'bench/dist/baselines/node-http-server.js'),
    productApi('info', { processes: 2 }),
    productApi('info', { smallHeap: true }),
    productApi('info', { tracing: 0.1 }),
    productApi('info', { tracing: 1 }),
    ...(other ? [productApi('info', { root: path.resolve(other), label: ` at ${path.basename(path.resolve(other))}` })] : []),
  ];
  let results: Map<string, Measured>;
  try {
    results = await measureInRounds(context, contenders);
  } finally {
    await otlpSink.close();
  }
  const floor = await pgbenchFloor(context);
  context.rss['1-2 write, read'] = { ...context.rss['1-2 write, read'], 'bench (autocannon)': peakRssMiB(process.pid) };
  context.rows.push(
    ...rowsFor('write', results, floor.write),
    ...tracingRows('write', results),
    ...rowsFor('read', results, floor.read),
    ...tracingRows('read', results),
  );
}
