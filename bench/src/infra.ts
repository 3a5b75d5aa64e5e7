// What a bench run starts for itself: a private redis-server on a free loopback port, private databases,
// and the services as child processes. Everything is stopped and dropped at the end.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createClient } from '@redis/client';
import { withDatabase } from '@stockstream/prisma';
import { dropDatabase, migrateDatabase } from '@stockstream/prisma/migrate';
import { freePort } from '@stockstream/platform';

export { freePort };

export const ROOT = path.join(__dirname, '..', '..');
export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Peak resident set size of a process so far, in MiB (Linux VmHWM). */
function statusMiB(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number | null {
  if (pid === undefined) return null;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** The highest resident memory the process has had. */
export const peakRssMiB = (pid: number | undefined) => statusMiB(pid, 'VmHWM');
/** Its resident memory now. */
export const rssMiB = (pid: number | undefined) => statusMiB(pid, 'VmRSS');

export class PrivateRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    redis.child = spawn('redis-server', ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitUntil('the private redis-server', async () => {
      const client = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      await client.connect();
      await client.close();
      return true;
    });
    return redis;
  }
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child?.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/**
 * A private Redis Cluster of three primaries (no replicas) on free loopback ports, made with `redis-cli
 * --cluster create`; the processes reach it by REDIS_CLUSTER_NODES and hash-tagged stream names.
 */
export class PrivateCluster {
  private constructor(
    private readonly dir: string,
    readonly ports: number[],
    private readonly children: ChildProcess[],
  ) {}

  static async start(): Promise<PrivateCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockstream-bench-cluster-'));
    const ports: number[] = [];
    const children: ChildProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      ports.push(port);
      children.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            dir,
            '--cluster-enabled',
            'yes',
          ].concat(['--cluster-port', String(busPort), '--cluster-config-file', `nodes-${port}.conf`]),
          { stdio: 'ignore' },
        ),
      );
    }
    const cluster = new PrivateCluster(dir, ports, children);
    const ask = async (port: number, ...args: string[]) => {
      const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return String(await client.sendCommand(args));
      } finally {
        client.destroy();
      }
    };
    await waitUntil('the Cluster nodes', async () =>
      (await Promise.all(ports.map((port) => ask(port, 'PING')))).every((answer) => answer === 'PONG'),
    );
    const created = spawn('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-yes'], {
      stdio: 'ignore',
    });
    const status = await new Promise((resolve) => created.once('exit', resolve));
    if (status !== 0) throw new Error(`bench: redis-cli --cluster create exited with ${String(status)}`);
    await waitUntil('the Cluster ok', async () =>
      (await Promise.all(ports.map((port) => ask(port, 'CLUSTER', 'INFO')))).every((info) => info.includes('cluster_state:ok')),
    );
    return cluster;
  }

  /** The settings of a process on this Cluster, its streams named with the tag. */
  env(tag: string): Record<string, string> {
    return {
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: this.ports.map((port) => `127.0.0.1:${port}`).join(','),
      PRODUCT_STREAM: `{${tag}}.events`,
      DEAD_LETTER_STREAM: `{${tag}}.events.dlq`,
    };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }),
    );
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Databases {
  productUrl: string;
  inventoryUrl: string;
  drop(): Promise<void>;
}

/** A fresh, migrated pair of databases. */
export async function createDatabases(): Promise<Databases> {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const productUrl = withDatabase(SERVER_URL, `bench_products_${suffix}`);
  const inventoryUrl = withDatabase(SERVER_URL, `bench_inventory_${suffix}`);
  await migrateDatabase('product', productUrl);
  await migrateDatabase('inventory', inventoryUrl);
  return {
    productUrl,
    inventoryUrl,
    drop: async () => Promise.all([dropDatabase(productUrl), dropDatabase(inventoryUrl)]).then(() => undefined),
  };
}

export interface Service {
  name: string;
  child: ChildProcess;
  port: number;
  peakRssMiB(): number | null;
  stop(): Promise<void>;
}

/** Runs a built service (or any script) as a child process and waits for its /health/ready. */
export async function startService(name: string, script: string, env: Record<string, string>, port: number): Promise<Service> {
  // The service logs at its own level (the shipped one unless env says), to a file, as it would to a
  // log collector: a write per batch of lines, not /dev/null.
  const logFile = path.join(os.tmpdir(), `stockstream-bench-${name.replace(/\W+/g, '-')}-${process.pid}-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const { LOG_LEVEL: _ignored, ...environment } = process.env;
  const child = spawn(process.execPath, [path.resolve(ROOT, script)], {
    env: { ...environment, ...env },
    stdio: ['ignore', log, 'inherit'],
  });
  fs.closeSync(log);
  const exited = new Promise((resolve) => child.once('exit', resolve)).finally(() => fs.rmSync(logFile, { force: true }));
  await waitUntil(`${name} ready`, async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok);
  return {
    name,
    child,
    port,
    peakRssMiB: () => peakRssMiB(child.pid),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** product-api and one inventory-worker on the given databases and stream, as the end to end and the soak run them (`env`: more settings for both). */
export async function startPipeline(
  databases: Databases,
  redisUrl: string,
  stream: string,
  env: Record<string, string> = {},
): Promise<[Service, Service]> {
  const productPort = await freePort();
  const workerPort = await freePort();
  const api = await startService(
    'product-api',
    'product-api/dist/main.js',
    {
      PRODUCT_API_PORT: String(productPort),
      PRODUCT_DATABASE_URL: databases.productUrl,
      REDIS_URL: redisUrl,
      PRODUCT_STREAM: stream,
      ...env,
    },
    productPort,
  );
  try {
    const worker = await startService(
      'inventory-worker',
      'inventory-worker/dist/main.js',
      {
        WORKER_PORT: String(workerPort),
        INVENTORY_DATABASE_URL: databases.inventoryUrl,
        REDIS_URL: redisUrl,
        PRODUCT_STREAM: stream,
        ...env,
      },
      workerPort,
    );
    return [api, worker];
  } catch (error) {
    await api.stop();
    throw error;
  }
}

/** Up to 20,000 ids of the products in a database, for reads. */
export async function productIds(databaseUrl: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ id: string }>('SELECT id FROM products LIMIT 20000')).rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

export interface OtlpSink {
  url: string;
  close(): Promise<void>;
}

/** An OTLP/HTTP endpoint that reads each export and answers 200: where traced services send their spans. */
export async function startOtlpSink(): Promise<OtlpSink> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
