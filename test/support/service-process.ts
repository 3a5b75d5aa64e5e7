import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { freePort } from '@stockstream/platform';
import { waitFor } from '../../platform/test/support/wait';

const ROOT = path.join(__dirname, '..', '..');

export interface ServiceProcess {
  lines: string[];
  port: number;
  stop(): Promise<number | null>;
}

/** A built deployable (`<name>/dist/main.js`) as a child process, started and ready, its log lines kept. */
export async function startService(script: string, portVariable: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, script)], {
    env: { ...process.env, LOG_LEVEL: 'info', [portVariable]: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) readline.createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await waitFor(
    `${script} ready`,
    async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok,
    30_000,
    100,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${lines.join('\n')}`);
  });
  return {
    lines,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A worker's settings for tests that wait on claims and consumer hygiene: seconds, not minutes. */
export const QUICK_WORKER = {
  CLAIM_IDLE_MS: '1000',
  CLAIM_INTERVAL_MS: '300',
  BLOCK_MS: '200',
  CONSUMER_IDLE_MS: '3000',
  PRUNE_INTERVAL_MS: '300',
};

/** product-api with a relay that checks the broker often, and workers with QUICK_WORKER, on one Redis and these databases. */
export async function startPipelineServices(
  env: Record<string, string>,
  databases: { products: string; inventory: string },
  workerCount = 2,
): Promise<{ api: ServiceProcess; workers: ServiceProcess[] }> {
  const api = await startService('product-api/dist/main.js', 'PRODUCT_API_PORT', {
    ...env,
    PRODUCT_DATABASE_URL: databases.products,
    BROKER_CHECK_INTERVAL_MS: '500',
    OUTBOX_SWEEP_INTERVAL_MS: '200',
  });
  const workers: ServiceProcess[] = [];
  for (let i = 0; i < workerCount; i++) {
    workers.push(
      await startService('inventory-worker/dist/main.js', 'WORKER_PORT', {
        ...env,
        INVENTORY_DATABASE_URL: databases.inventory,
        ...QUICK_WORKER,
      }),
    );
  }
  return { api, workers };
}
