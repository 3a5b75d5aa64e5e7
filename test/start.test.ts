// `npm start` as a new user runs it (after the build): migrates, runs both APIs and the workers, and
// stops them all cleanly on Ctrl-C. Here on private databases, ports and streams.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { withDatabase } from '@stockstream/prisma';
import { dropDatabase } from '@stockstream/prisma/migrate';
import { TEST_SERVER_URL } from '@stockstream/prisma/testing';
import { createClient } from '@redis/client';
import { freePort } from '@stockstream/platform';
import { waitFor } from '../platform/test/support/wait';

const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
const productUrl = withDatabase(TEST_SERVER_URL, `test_start_products_${suffix}`);
const inventoryUrl = withDatabase(TEST_SERVER_URL, `test_start_inventory_${suffix}`);
const stream = `test-start-${suffix}`;

afterAll(async () => {
  await dropDatabase(productUrl);
  await dropDatabase(inventoryUrl);
  const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await redis.connect();
  await redis.del([stream, `${stream}.dlq`]);
  await redis.close();
});

test('npm start runs the system: a product created on product-api shows up with stock 100 on inventory-api; SIGINT stops it all', async () => {
  const [productPort, inventoryPort] = [await freePort(), await freePort()];
  const start = spawn(process.execPath, [path.join(__dirname, '..', 'scripts', 'start.js')], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      WORKERS: '2',
      PRODUCT_API_PORT: String(productPort),
      INVENTORY_API_PORT: String(inventoryPort),
      // Any free port for each worker: a port next to a free one may be a client connection's.
      WORKER_PORT: '0',
      PRODUCT_DATABASE_URL: productUrl,
      INVENTORY_DATABASE_URL: inventoryUrl,
      PRODUCT_STREAM: stream,
      DEAD_LETTER_STREAM: `${stream}.dlq`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  start.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  start.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => start.once('exit', resolve));
  const withOutput = (error: unknown): never => {
    throw new Error(`${String(error)}\n--- npm start printed ---\n${output}`);
  };
  try {
    const product = `http://127.0.0.1:${productPort}`;
    const inventory = `http://127.0.0.1:${inventoryPort}`;
    const ready = (url: string) => async () => (await fetch(`${url}/health/ready`)).ok;
    await waitFor('product-api ready', ready(product), 30_000, 200).catch(withOutput);
    await waitFor('inventory-api ready', ready(inventory), 30_000, 200).catch(withOutput);
    const created = await fetch(`${product}/api/products`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sku: 'START-1', name: 'Started', price: '3.50' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const stock = await waitFor('the stock record', async () => {
      const res = await fetch(`${inventory}/api/inventory/${id}`);
      return res.ok ? ((await res.json()) as { quantity: number }) : undefined;
    });
    expect(stock.quantity).toBe(100);
    // Both workers run (the second may still be starting when the first has stocked the product).
    await waitFor(
      'both workers to log',
      () => /inventory-worker-1 +\| .*consumer started/.test(output) && /inventory-worker-2 +\| .*consumer started/.test(output),
    );
  } finally {
    start.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  for (const name of ['product-api', 'inventory-api', 'inventory-worker-1', 'inventory-worker-2']) {
    expect(output).toMatch(new RegExp(`${name} +\\| .*shut down cleanly`));
  }
}, 60_000);
