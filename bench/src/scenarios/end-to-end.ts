// Scenario 4: products created at a steady rate; for each, the time from its 201 to its inventory record
// existing. The record's time is taken inside the worker's transaction (a trigger writes clock_timestamp()
// when the row is inserted), so it is when the effect is applied, a commit before it is visible.
import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { createDatabases, peakRssMiB, startOtlpSink, startPipeline, waitUntil } from '../infra';
import type { Service } from '../infra';
import { createProducts } from '../load';
import { percentile, round } from '../stats';
import type { Context } from './context';
import { tracing } from './context';

export async function endToEndScenario(context: Context): Promise<void> {
  await endToEnd(context, { label: '', env: {}, held: true });
  // The same with every request traced, its spans exported over OTLP to a sink of the bench's.
  const sink = await startOtlpSink();
  try {
    await endToEnd(context, { label: 'tracing at 100 %: ', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, ...tracing(1) }, held: false });
  } finally {
    await sink.close();
  }
}

/** One run: `held` to the targets (the shipped settings), or only reported (a variant, named by `label`). */
export async function endToEnd(context: Context, variant: { label: string; env: Record<string, string>; held: boolean }): Promise<void> {
  const { sizes } = context;
  const databases = await createDatabases();
  const inventory = new Client({ connectionString: databases.inventoryUrl });
  await inventory.connect();
  await inventory.query(`
    CREATE TABLE bench_seen (product_id uuid PRIMARY KEY, seen_at timestamptz NOT NULL);
    CREATE FUNCTION bench_seen() RETURNS trigger AS $$
    BEGIN
      INSERT INTO bench_seen VALUES (NEW.product_id, clock_timestamp());
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER bench_seen AFTER INSERT ON inventory_items FOR EACH ROW EXECUTE FUNCTION bench_seen();`);
  const stream = `bench.e2e.${randomUUID()}`;
  const services: Service[] = [];
  const created = new Map<string, number>();
  try {
    services.push(...(await startPipeline(databases, context.redis.url, stream, variant.env)));
    context.log(`end to end: ${sizes.e2eRate} products/s for ${sizes.seconds} s`);
    // autocannon paces each connection with its own timer, so N connections send N requests at once:
    // 4 keep the rate while the bursts stay small, closer to the steady arrival the scenario asks for.
    const load = await createProducts(`http://127.0.0.1:${services[0]?.port}`, {
      connections: 4,
      seconds: sizes.seconds,
      overallRate: sizes.e2eRate,
      onCreated: (id, receivedAtMs) => created.set(id, receivedAtMs),
    });
    await waitUntil(
      'every record',
      async () => Number((await inventory.query('SELECT count(*) FROM bench_seen')).rows[0].count) >= created.size,
      60_000,
      100,
    );
    const seen = await inventory.query<{ product_id: string; seen_ms: number }>(
      'SELECT product_id, extract(epoch FROM seen_at) * 1000 AS seen_ms FROM bench_seen',
    );
    const latencies = seen.rows.flatMap((row) => {
      const receivedAt = created.get(row.product_id);
      return receivedAt === undefined ? [] : [Math.max(0, Number(row.seen_ms) - receivedAt)];
    });
    const early = seen.rows.filter((row) => Number(row.seen_ms) < (created.get(row.product_id) ?? Infinity)).length;
    if (early)
      context.notes.push(
        `end to end: ${early} of ${latencies.length} records were applied before the client had read its 201 (counted as 0 ms)`,
      );
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    context.rows.push(
      { scenario: '4 end to end', figure: `${variant.label}created/s (asked ${sizes.e2eRate})`, value: round(load.rps), unit: '' },
      {
        scenario: '4 end to end',
        figure: `${variant.label}201 → record, p50`,
        value: round(p50, 2),
        unit: 'ms',
        ...(variant.held ? { target: '≤ 6 ms', met: p50 === null ? null : p50 <= 6 } : {}),
      },
      {
        scenario: '4 end to end',
        figure: `${variant.label}201 → record, p99`,
        value: round(p99, 2),
        unit: 'ms',
        ...(variant.held ? { target: '≤ 25 ms', met: p99 === null ? null : p99 <= 25 } : {}),
      },
      {
        scenario: '4 end to end',
        figure: `${variant.label}201 → record, max`,
        value: round(latencies.length ? Math.max(...latencies) : null, 2),
        unit: 'ms',
      },
    );
  } finally {
    context.rss[`4 end to end${variant.label ? `, ${variant.label.replace(/: $/, '')}` : ''}`] = {
      ...Object.fromEntries(services.map((service) => [service.name, service.peakRssMiB()])),
      'bench (autocannon)': peakRssMiB(process.pid),
    };
    await Promise.all(services.map((service) => service.stop()));
    await inventory.end();
    await databases.drop();
  }
}
