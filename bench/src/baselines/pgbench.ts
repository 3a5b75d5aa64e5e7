import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { percentile } from '../stats';

const run = promisify(execFile);

export interface PgbenchResult {
  tps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  transactions: number;
}

/** Runs a custom pgbench script at `clients` for `seconds`; latencies come from its per-transaction log. */
export async function pgbench(url: string, script: string, clients: number, seconds: number): Promise<PgbenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockstream-pgbench-'));
  try {
    const scriptFile = path.join(dir, 'script.sql');
    fs.writeFileSync(scriptFile, script);
    const parsed = new URL(url);
    const { stdout } = await run(
      'pgbench',
      [
        '-n',
        '-f',
        scriptFile,
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, os.cpus().length)),
        '-T',
        String(seconds),
        '-l',
        `--log-prefix=${path.join(dir, 'log')}`,
        '-h',
        parsed.hostname,
        '-p',
        parsed.port || '5432',
        '-U',
        decodeURIComponent(parsed.username || 'postgres'),
        decodeURIComponent(parsed.pathname.slice(1)),
      ],
      { maxBuffer: 10 * 1024 * 1024 },
    );
    const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? NaN);
    const latenciesMs: number[] = [];
    for (const file of fs.readdirSync(dir).filter((name) => name.startsWith('log'))) {
      for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
        const micros = Number(line.split(' ')[2]);
        if (Number.isFinite(micros) && line) latenciesMs.push(micros / 1000);
      }
    }
    return { tps, p50Ms: percentile(latenciesMs, 50), p99Ms: percentile(latenciesMs, 99), transactions: latenciesMs.length };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The product-api's write: a product and its outbox event, in one transaction. */
export const WRITE_SCRIPT = `BEGIN;
INSERT INTO products (id, sku, name, description, price, version, updated_at)
  VALUES (gen_random_uuid(), 'PGB-' || gen_random_uuid(), 'pgbench product', 'written by pgbench', 19.99, 1, now());
INSERT INTO outbox (event_id, product_id, type, envelope)
  VALUES (gen_random_uuid(), gen_random_uuid(), 'product.created', '{"type":"product.created","data":{"sku":"PGB","name":"pgbench product","price":"19.99"}}');
END;
`;

/** The product-api's read, by id (ids are looked up by a dense integer key, pgbench having no UUID variables). */
export function readScript(count: number): string {
  return `\\set k random(1, ${count})
SELECT p.* FROM products p WHERE p.id = (SELECT id FROM bench_ids WHERE n = :k);
`;
}
