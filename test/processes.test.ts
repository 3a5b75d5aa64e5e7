// Each process as it is deployed (the built dist/main.js): a bad variable stops it at start with a message
// naming the variable; SIGTERM stops it cleanly with exit code 0.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { freePort } from '@stockstream/platform';
import { waitFor } from '../platform/test/support/wait';

const root = path.join(__dirname, '..');

function run(service: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(root, service, 'dist', 'main.js')], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) readline.createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, lines, exited };
}

let products: TestDatabase;
let inventory: TestDatabase;
beforeAll(async () => {
  products = await createTestDatabase('product');
  inventory = await createTestDatabase('inventory');
});
afterAll(async () => {
  await products.drop();
  await inventory.drop();
});

describe.each([
  ['product-api', 'PRODUCT_API_PORT', 'PRODUCT_DATABASE_URL'],
  ['inventory-api', 'INVENTORY_API_PORT', 'INVENTORY_DATABASE_URL'],
  ['inventory-worker', 'WORKER_PORT', 'INVENTORY_DATABASE_URL'],
])('%s', (service, portVariable, databaseVariable) => {
  test('a bad variable stops it at start, naming the variable', async () => {
    const { lines, exited } = run(service, { [portVariable]: 'not-a-port', REDIS_URL: 'http://nope' });
    expect(await exited).toBe(1);
    const output = lines.join('\n');
    expect(output).toContain(`${portVariable}:`);
    expect(output).toContain('REDIS_URL: must be a redis:// URL');
  });

  test('SIGTERM stops it cleanly, exit code 0', async () => {
    const port = await freePort();
    const database = databaseVariable === 'PRODUCT_DATABASE_URL' ? products.url : inventory.url;
    const { child, lines, exited } = run(service, {
      [portVariable]: String(port),
      [databaseVariable]: database,
      PRODUCT_STREAM: `test-processes-${port}`,
    });
    await waitFor(`${service} to answer`, async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 20_000, 100);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.some((line) => line.includes('shut down cleanly'))).toBe(true);
  });
});

test('product-api with API_PROCESSES=2 serves one port from two processes and stops both on SIGTERM', async () => {
  const port = await freePort();
  const { child, lines, exited } = run('product-api', {
    PRODUCT_API_PORT: String(port),
    PRODUCT_DATABASE_URL: products.url,
    PRODUCT_STREAM: `test-processes-cluster-${port}`,
    API_PROCESSES: '2',
  });
  await waitFor('both processes listening', () => lines.filter((line) => line.includes('product-api listening')).length === 2, 20_000);
  const pids = new Set(lines.filter((line) => line.includes('product-api listening')).map((line) => JSON.parse(line).pid as number));
  expect(pids.size).toBe(2);
  await waitFor('an answer', async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 10_000, 100);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(lines.filter((line) => line.includes('shut down cleanly'))).toHaveLength(2);
});

test('product-api with API_PROCESSES=2: when one process dies, the other is stopped and the primary exits 1', async () => {
  const port = await freePort();
  const { lines, exited } = run('product-api', {
    PRODUCT_API_PORT: String(port),
    PRODUCT_DATABASE_URL: products.url,
    PRODUCT_STREAM: `test-processes-crash-${port}`,
    API_PROCESSES: '2',
  });
  await waitFor('both processes listening', () => lines.filter((line) => line.includes('product-api listening')).length === 2, 20_000);
  const [victim] = lines.filter((line) => line.includes('product-api listening')).map((line) => JSON.parse(line).pid as number);
  process.kill(victim!, 'SIGKILL');
  expect(await exited).toBe(1);
  expect(lines.some((line) => line.includes('product-api process exited; stopping the others'))).toBe(true);
  expect(lines.filter((line) => line.includes('shut down cleanly'))).toHaveLength(1);
});
