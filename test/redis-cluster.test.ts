// Redis Cluster: three primaries with a replica each (real processes on loopback ports, made with
// `redis-cli --cluster create`), the built product-api, two workers, inventory-api with the dead-letter
// admin, and the dlq CLI, all given only REDIS_CLUSTER_NODES and hash-tagged stream names. Every operation
// that touches several keys (the relay's pipeline, dead-lettering, replay, purge, consumer hygiene) runs
// on the Cluster; so do trimming and broker-loss detection; and a primary killed loses nothing.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { toStreamFields } from '@stockstream/contracts';
import { deadLetter } from '@stockstream/inventory-core';
import { createLogger, createRedisClient, envRedisConnection, envStreamNames, parseConfig, redisConnectionOf } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { z } from 'zod';
import { productEvent } from '../inventory-api/test/support/dead-letters';
import { waitFor } from '../platform/test/support/wait';
import { RedisCluster } from './support/redis-topologies';
import { startPipelineServices, startService } from './support/service-process';
import type { ServiceProcess } from './support/service-process';

const run = promisify(execFile);
const tag = `{cluster-${randomUUID().slice(0, 8)}}`;
const stream = `${tag}.events`;
const deadLetterStream = `${tag}.events.dlq`;
const group = 'inventory';
const API_KEY = 'cluster-admin-key-0123456789';

let cluster: RedisCluster;
let products: TestDatabase;
let inventory: TestDatabase;
let stock: InventoryDb;
let redis: RedisClient;
let api: ServiceProcess;
let inventoryApi: ServiceProcess;
let workers: ServiceProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 1 });
  products = await createTestDatabase('product');
  inventory = await createTestDatabase('inventory');
  stock = createInventoryDb(inventory.url, { poolSize: 2 });
  env = { ...cluster.env, PRODUCT_STREAM: stream, DEAD_LETTER_STREAM: deadLetterStream, CONSUMER_GROUP: group };
  redis = createRedisClient({
    url: redisConnectionOf(parseConfig(z.object({ ...envRedisConnection, ...envStreamNames }), env)),
    logger: createLogger('test', 'silent'),
    name: 'cluster-test',
    failFast: false,
  });
  await redis.connect();
  // STREAM_MAXLEN at its floor, so that trimming is seen soon.
  ({ api, workers } = await startPipelineServices({ ...env, STREAM_MAXLEN: '1000' }, { products: products.url, inventory: inventory.url }));
  inventoryApi = await startService('inventory-api/dist/main.js', 'INVENTORY_API_PORT', {
    ...env,
    INVENTORY_DATABASE_URL: inventory.url,
    ADMIN_API_KEYS: `ops:${API_KEY}`,
  });
}, 120_000);
afterAll(async () => {
  await Promise.all([api, inventoryApi, ...workers].filter(Boolean).map((service) => service.stop()));
  await redis?.close();
  await stock?.$disconnect();
  await products?.drop();
  await inventory?.drop();
  await cluster?.stop();
});

async function call(port: number, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-API-Key': API_KEY, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const createProduct = async (sku: string) => {
  const { status, body } = await call(api.port, 'POST', '/api/products', { sku, name: `Product ${sku}`, price: '5.00' });
  expect(status).toBe(201);
  return String(body.id);
};
const record = (productId: string) => stock.inventoryItem.findUnique({ where: { productId } });

async function dlq(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(__dirname, '..', 'inventory-api', 'dist', 'dead-letters', 'cli.js'), ...args], {
    env: { ...process.env, ...env, INVENTORY_DATABASE_URL: inventory.url },
  });
  return stdout;
}

async function streamInfo(key: string): Promise<{ length: number; added: number }> {
  const info = await redis.xInfoStream(key);
  return { length: Number(info.length), added: Number(info['entries-added']) };
}

test('a product created, updated and deleted: its stock follows, and the acknowledged entries are trimmed', async () => {
  const id = await createProduct('CL-1');
  await waitFor('the record', async () => (await record(id))?.quantity === 100);
  expect(
    (await call(api.port, 'PUT', `/api/products/${id}`, { sku: 'CL-1B', name: 'Renamed', price: '6.00' }, { 'If-Match': '"1"' })).status,
  ).toBe(200);
  await waitFor('the rename', async () => (await record(id))?.name === 'Renamed');
  expect((await call(api.port, 'DELETE', `/api/products/${id}`, undefined, { 'If-Match': '"2"' })).status).toBe(204);
  await waitFor('the record gone', async () => (await record(id)) === null);
  await waitFor('the acknowledged entries trimmed', async () => {
    const { length, added } = await streamInfo(stream);
    return added >= 3 && length < added;
  });
});

test('dead letters on the Cluster: written by a worker, replayed from the API, a cause replayed and a letter purged with the CLI', async () => {
  // A malformed entry: a worker dead-letters it (the stream's ack and the dead-letter stream's add in one script).
  await redis.xAdd(stream, '*', { junk: 'not an event' });
  const invalid = await waitFor('the malformed entry dead-lettered', async () =>
    ((await redis.xRange(deadLetterStream, '-', '+')) ?? []).find((entry) => entry?.message.reason === 'invalid'),
  );

  // Events dead-lettered as a worker writes them when their deliveries ran out (never added to the stream
  // here, so that no worker applies them before their replay does).
  const events = [productEvent(), productEvent(), productEvent()];
  const letters: string[] = [];
  for (const [index, event] of events.entries()) {
    letters.push(
      await deadLetter(
        redis,
        { stream, group, deadLetterStream, consumer: 'gone-worker' },
        { id: `1-${index}`, fields: toStreamFields(event) },
        { reason: 'max-deliveries', error: 'deadlock detected', deliveries: 5 },
      ),
    );
  }
  const replayed = await call(inventoryApi.port, 'POST', `/admin/dlq/${letters[0]}/replay`);
  expect(replayed.status).toBe(200);
  await waitFor('the replayed event applied', async () => (await record(events[0]!.data.productId))?.quantity === 100);

  const groups = await call(inventoryApi.port, 'GET', '/admin/dlq/groups');
  const cause = (groups.body.items as { id: string; reason: string; count: number }[]).find((item) => item.reason === 'max-deliveries');
  expect(cause?.count).toBe(2);
  expect(await dlq('replay', '--group', cause!.id)).toMatch(/done: 2 replayed, 0 skipped/);
  await waitFor(
    'the cause replayed',
    async () => (await record(events[1]!.data.productId)) !== null && (await record(events[2]!.data.productId)) !== null,
  );

  expect(await dlq('purge', invalid.id, '--yes')).toMatch(/purged 1/);
  expect(await redis.xLen(deadLetterStream)).toBe(0);
  expect((await call(inventoryApi.port, 'GET', '/admin/dlq/groups')).body.items).toEqual([]);
});

test('a consumer left by an earlier process is removed from the group', async () => {
  await redis.xGroupCreateConsumer(stream, group, 'gone-worker');
  await waitFor(
    'the idle consumer removed',
    async () => !(await redis.xInfoConsumers(stream, group)).some((consumer) => consumer.name === 'gone-worker'),
    15_000,
  );
});

test('the stream and its epoch marker deleted: the relay notices and republishes; no product is stocked twice', async () => {
  const ids = [await createProduct('CL-LOSS-1'), await createProduct('CL-LOSS-2')];
  await waitFor('stocked', async () => (await record(ids[1]!)) !== null && (await record(ids[0]!)) !== null);
  const before = await stock.inventoryItem.count();
  await redis.del([stream, `${stream}:epoch`]);
  await waitFor('the loss noticed', () => api.lines.some((line) => line.includes('the stream lost data')), 15_000);
  await waitFor('the republished outbox applied', async () => {
    const info = await streamInfo(stream).catch(() => undefined);
    return info !== undefined && info.added >= 2 && (await redis.xPending(stream, group)).pending === 0;
  });
  expect(await stock.inventoryItem.count()).toBe(before);
  const late = await createProduct('CL-LOSS-3');
  await waitFor('a product after the loss stocked', async () => (await record(late))?.quantity === 100);
});

test("the streams' slot moved to another primary under load (ASK, TRYAGAIN, then MOVED): every product converges, nothing lost", async () => {
  const ids: string[] = [];
  let moving = true;
  const load = (async () => {
    for (let i = 0; moving; i++) ids.push(await createProduct(`CL-MOVE-${i}`));
  })();
  await waitFor(
    'some products stocked',
    async () => (await stock.inventoryItem.count({ where: { sku: { startsWith: 'CL-MOVE-' } } })) >= 10,
  );
  const from = await cluster.primaryOf(stream);
  const to = await cluster.moveSlotOf(stream);
  expect(to).not.toBe(from);
  expect(await cluster.primaryOf(deadLetterStream)).toBe(to);
  const moved = ids.length;
  await waitFor('products written after the move', () => ids.length >= moved + 10);
  moving = false;
  await load;
  await waitFor(
    'every product stocked once, with 100',
    async () => {
      const items = await stock.inventoryItem.findMany({ where: { productId: { in: ids } } });
      return items.length === ids.length && items.every((item) => item.quantity === 100);
    },
    30_000,
  );
  expect(await redis.xLen(deadLetterStream)).toBe(0);
});

test("the primary of the streams' slot killed: its replica is promoted, and every product converges, nothing lost", async () => {
  const before: string[] = [];
  for (let i = 0; i < 20; i++) before.push(await createProduct(`CL-FO-${i}`));
  await waitFor('stocked', async () => (await stock.inventoryItem.count({ where: { productId: { in: before } } })) === 20);

  // inventory-api's dead-letter list needs Redis: through the failover it answers 200, or 503 with
  // Retry-After, never a 500; product writes need only Postgres and keep answering 201.
  let failingOver = true;
  const answers: { status: number; retryAfter: string | null }[] = [];
  const writes: number[] = [];
  const readiness: { asked: number; status: string }[] = [];
  const probing = (async () => {
    while (failingOver) {
      const res = await fetch(`http://127.0.0.1:${inventoryApi.port}/admin/dlq`, { headers: { 'X-API-Key': API_KEY } });
      answers.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
      await res.arrayBuffer();
      const asked = Date.now();
      readiness.push({ asked, status: String((await call(api.port, 'GET', '/health/ready')).body.status) });
      const write = await call(api.port, 'POST', '/api/products', { sku: `CL-DURING-${writes.length}`, name: 'During', price: '1.00' });
      writes.push(write.status);
      if (write.status === 201) before.push(String(write.body.id));
    }
  })();
  const killed = Date.now();
  await cluster.failOver(stream);
  const promoted = Date.now();
  failingOver = false;
  await probing;
  expect(answers.filter(({ status, retryAfter }) => !(status === 200 || (status === 503 && retryAfter !== null)))).toEqual([]);
  expect(writes.filter((status) => status !== 201)).toEqual([]);
  // product-api's readiness says degraded while the streams' primary is away, until the client follows the promotion.
  expect(readiness.filter(({ status }) => status !== 'ready' && status !== 'degraded')).toEqual([]);
  const whileAway = readiness.filter(({ asked }) => asked > killed + 200 && asked < promoted - 200);
  expect(whileAway.length).toBeGreaterThan(0);
  expect(whileAway.filter(({ status }) => status !== 'degraded')).toEqual([]);
  // One outage, attributed to Redis: a socket error of a Redis node is never taken for the database's.
  const outageLines = (text: string) => inventoryApi.lines.filter((line) => line.includes(text)).length;
  expect(outageLines('database unavailable')).toBe(0);
  expect(outageLines('redis unavailable')).toBeLessThanOrEqual(1);
  const after: string[] = [];
  for (let i = 0; i < 20; i++) after.push(await createProduct(`CL-AFTER-${i}`));
  await waitFor(
    'every product stocked once, with 100',
    async () => {
      const items = await stock.inventoryItem.findMany({ where: { productId: { in: [...before, ...after] } } });
      return items.length === before.length + after.length && items.every((item) => item.quantity === 100);
    },
    30_000,
  );
  console.log(
    `Cluster failover: converged ${Date.now() - killed} ms after the kill; /admin/dlq meanwhile: ${answers.filter((answer) => answer.status === 503).length} × 503 of ${answers.length}`,
  );
  expect(await redis.xLen(deadLetterStream)).toBe(0);
  const errors = [api, inventoryApi, ...workers].flatMap((service) => service.lines).filter((line) => /CROSSSLOT|\n\s+at /.test(line));
  expect(errors).toEqual([]);
});
