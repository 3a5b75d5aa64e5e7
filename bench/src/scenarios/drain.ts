// Scenario 3: a backlog of product.created events already in the stream, drained by 1 and by 2 workers
// started after; against a plain batched INSERT of the same rows and against BullMQ doing the same insert.
// Then a mixed backlog (created, updated, some deleted, shuffled so each product's events come out of
// order) drained by 2 workers, against the created-only drain.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { createClient } from '@redis/client';
import { toStreamFields } from '@stockstream/contracts';
import type { ProductEvent } from '@stockstream/contracts';
import { consumerGroupState } from '@stockstream/inventory-core';
import type { RedisClient } from '@stockstream/platform';
import { createDatabases, freePort, peakRssMiB, startService, waitUntil } from '../infra';
import type { Service } from '../infra';
import { round } from '../stats';
import type { Context } from './context';
import { SMALL_HEAP, ratio, settingsLabel } from './context';
import type { Row } from '../report';
import { directApply } from '../baselines/direct-apply';

/** The worker's default BATCH_SIZE: the direct apply uses the same batches. */
const WORKER_BATCH_SIZE = 500;
/** The workers' consumer group (CONSUMER_GROUP), named so that the drain can ask Redis about it. */
const WORKER_GROUP = 'bench-drain';

export function events(count: number): ProductEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const productId = randomUUID();
    return {
      id: randomUUID(),
      type: 'product.created',
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: `bench-${i}`,
      data: { productId, sku: `D-${productId.slice(0, 13)}`, name: 'Drained product', price: '9.99', productVersion: 1 },
    };
  });
}

/**
 * Per product: created (v1), updated (v2), and every other one deleted (v3); about 2.5 events a product.
 * Shuffled in windows of 1,000, so that a product's events reach the workers out of order.
 */
function mixedEvents(count: number): ProductEvent[] {
  const all: ProductEvent[] = [];
  for (let i = 0; all.length < count; i++) {
    const [created] = events(1) as [ProductEvent & { type: 'product.created' }];
    const { productId, sku } = created.data;
    const envelope = { version: 1 as const, occurredAt: created.occurredAt, correlationId: `bench-mixed-${i}` };
    all.push(created, {
      ...envelope,
      id: randomUUID(),
      type: 'product.updated',
      data: { ...created.data, name: 'Renamed', productVersion: 2 },
    });
    if (i % 2 === 1) all.push({ ...envelope, id: randomUUID(), type: 'product.deleted', data: { productId, sku, productVersion: 3 } });
  }
  const mixed = all.slice(0, count);
  for (let window = 0; window < mixed.length; window += 1000) {
    const end = Math.min(window + 1000, mixed.length);
    for (let i = end - 1; i > window; i--) {
      const j = window + Math.floor(Math.random() * (i - window + 1));
      [mixed[i], mixed[j]] = [mixed[j] as ProductEvent, mixed[i] as ProductEvent];
    }
  }
  return mixed;
}

async function count(url: string, table: 'inventory_items' | 'processed_events'): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ count: string }>(`SELECT count(*) FROM ${table}`)).rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}
const countRecords = (url: string) => count(url, 'inventory_items');

/**
 * Whether the workers' group has every entry acknowledged (none left to deliver, none pending), which
 * they do after the apply commits: asked of Redis, since a count of the table every poll (a connection,
 * a backend, a scan of 100,000 rows) took a tenth of a core from the workers being measured, which the
 * yardstick never paid. The count then confirms.
 */
async function groupDone(redis: RedisClient, stream: string): Promise<boolean> {
  const state = await consumerGroupState(redis, stream, WORKER_GROUP);
  return state?.pending === 0 && state.lag === 0;
}

/**
 * The Redis a drain runs on: the workers' settings for it (a Cluster's name the stream), and a client of
 * the bench's to fill the stream and ask about the group. One node, the private redis-server, by default.
 */
export interface DrainRedis {
  env: Record<string, string>;
  connect(): Promise<RedisClient>;
}

const oneNode = (context: Context): DrainRedis => ({
  env: { REDIS_URL: context.redis.url },
  connect: async () => {
    const client = createClient({ url: context.redis.url, RESP: 2 });
    await client.connect();
    return client;
  },
});

/**
 * Events/s of `workers` workers draining `batch` from a fresh stream and database (every event id
 * applied), counted from the moment every worker answers ready: the yardstick's figure leaves out its
 * process start too. What the workers applied while starting is left out of the count; the start itself
 * is reported apart (`context.notes`).
 */
export async function drainWithWorkers(
  context: Context,
  batch: ProductEvent[],
  workers: number,
  label = '',
  settings: Record<string, string> = {},
  target: DrainRedis = oneNode(context),
): Promise<number> {
  const databases = await createDatabases();
  const stream = target.env.PRODUCT_STREAM ?? `bench.drain.${randomUUID()}`;
  const redis = await target.connect();
  for (let start = 0; start < batch.length; start += 1000) {
    const pipeline = redis.multi();
    for (const event of batch.slice(start, start + 1000)) pipeline.xAdd(stream, '*', toStreamFields(event));
    await pipeline.execAsPipeline();
  }
  const started: Service[] = [];
  const launched = performance.now();
  try {
    await Promise.all(
      Array.from({ length: workers }, async (_, i) => {
        const port = await freePort();
        const service = await startService(
          `worker-${i + 1}`,
          'inventory-worker/dist/main.js',
          {
            WORKER_PORT: String(port),
            INVENTORY_DATABASE_URL: databases.inventoryUrl,
            ...target.env,
            PRODUCT_STREAM: stream,
            CONSUMER_NAME: `bench-${i + 1}`,
            CONSUMER_GROUP: WORKER_GROUP,
            ...settings,
          },
          port,
        );
        started.push(service);
      }),
    );
    const ready = performance.now();
    const appliedWhileStarting = await count(databases.inventoryUrl, 'processed_events');
    // A backlog too small to outlast the start (--quick) is counted from launch instead, and says so.
    const fromLaunch = appliedWhileStarting === batch.length;
    const began = fromLaunch ? launched : ready;
    const counted = fromLaunch ? batch.length : batch.length - appliedWhileStarting;
    context.notes.push(
      `drain${label}, ${workers} worker(s): ready ${Math.round(ready - launched)} ms after launch, with ${appliedWhileStarting} of ${batch.length} events applied by then ` +
        (fromLaunch ? '(all of them: this rate counts from launch)' : '(left out of the rate)'),
    );
    await waitUntil(
      'every event applied',
      async () => (await groupDone(redis, stream)) && (await count(databases.inventoryUrl, 'processed_events')) === batch.length,
      600_000,
      20,
    );
    const seconds = (performance.now() - began) / 1000;
    context.rss[`3 drain${label}, ${workers} worker${workers > 1 ? 's' : ''}`] = Object.fromEntries(
      started.map((service) => [service.name, service.peakRssMiB()]),
    );
    return counted / seconds;
  } finally {
    await Promise.all(started.map((service) => service.stop()));
    await redis.del(stream);
    await redis.close();
    await databases.drop();
  }
}

async function plainInsert(batch: ProductEvent[]): Promise<number> {
  const databases = await createDatabases();
  const client = new Client({ connectionString: databases.inventoryUrl });
  await client.connect();
  try {
    const began = performance.now();
    for (let start = 0; start < batch.length; start += 1000) {
      const slice = batch.slice(start, start + 1000);
      await client.query(
        `INSERT INTO inventory_items (product_id, sku, name, quantity, updated_at)
         SELECT id, sku, name, 100, now() FROM unnest($1::uuid[], $2::text[], $3::text[]) AS rows(id, sku, name)`,
        [
          slice.map((event) => event.data.productId),
          slice.map((event) => event.data.sku),
          slice.map((event) => ('name' in event.data ? event.data.name : '')),
        ],
      );
    }
    return batch.length / ((performance.now() - began) / 1000);
  } finally {
    await client.end();
    await databases.drop();
  }
}

async function bullmq(context: Context, batch: ProductEvent[], concurrency: number): Promise<{ rate: number; rss: number | null }> {
  const databases = await createDatabases();
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const connection = { host: '127.0.0.1', port: context.redis.port };
  const queue = new Queue(name, { connection });
  for (let start = 0; start < batch.length; start += 1000) {
    await queue.addBulk(
      batch.slice(start, start + 1000).map((event) => ({
        name: event.type,
        data: {
          eventId: event.id,
          productId: event.data.productId,
          sku: event.data.sku,
          name: 'name' in event.data ? event.data.name : '',
        },
        opts: { removeOnComplete: true, attempts: 5 },
      })),
    );
  }
  const began = performance.now();
  const worker = fork(
    path.join(__dirname, '..', 'baselines', 'bullmq-worker.js'),
    [context.redis.url, databases.inventoryUrl, name, String(concurrency)],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  try {
    // Asked of BullMQ's own counts first, as the workers' drain asks Redis: a count of the table per poll
    // would load the machine under test.
    const queueEmpty = async () => Object.values(await queue.getJobCounts('active', 'waiting', 'delayed')).every((n) => n === 0);
    await waitUntil(
      'BullMQ to finish',
      async () => (await queueEmpty()) && (await countRecords(databases.inventoryUrl)) === batch.length,
      600_000,
      20,
    );
    const rate = batch.length / ((performance.now() - began) / 1000);
    return { rate, rss: peakRssMiB(worker.pid) };
  } finally {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
    await queue.obliterate({ force: true });
    await queue.close();
    await databases.drop();
  }
}

/** The direct apply of the worker's SQL, on a fresh database. */
async function direct(batch: ProductEvent[]): Promise<number> {
  const databases = await createDatabases();
  try {
    return await directApply(databases.inventoryUrl, batch, WORKER_BATCH_SIZE);
  } finally {
    await databases.drop();
  }
}

export async function drainScenario(context: Context): Promise<void> {
  const batch = events(context.sizes.drainEvents);
  context.log(`drain: ${batch.length} events, 1 worker`);
  const one = await drainWithWorkers(context, batch, 1);
  context.log(`drain: ${batch.length} events, 2 workers`);
  const two = await drainWithWorkers(context, batch, 2);
  context.log(`drain: ${batch.length} events, 4 workers`);
  const four = await drainWithWorkers(context, batch, 4);
  const mixedBatch = mixedEvents(context.sizes.drainEvents);
  context.log(`drain: ${mixedBatch.length} mixed events (created, updated, deleted, out of order), 2 workers`);
  const mixed = await drainWithWorkers(context, mixedBatch, 2, ' mixed');
  context.log(`drain: ${batch.length} events, 1 worker with ${settingsLabel(SMALL_HEAP)}`);
  const smallHeap = await drainWithWorkers(context, batch, 1, ` ${settingsLabel(SMALL_HEAP)}`, SMALL_HEAP);
  context.log(`drain baseline: the worker's SQL applied directly through pg, batches of ${WORKER_BATCH_SIZE}`);
  const directCreated = await direct(batch);
  const directMixed = await direct(mixedBatch);
  context.log('drain baseline: plain batched INSERT');
  const plain = await plainInsert(batch);
  let best = { rate: 0, concurrency: 0, rss: null as number | null };
  for (const concurrency of context.sizes.bullmqConcurrencies) {
    context.log(`drain baseline: BullMQ, concurrency ${concurrency}`);
    const result = await bullmq(context, batch, concurrency);
    context.notes.push(`BullMQ at concurrency ${concurrency}: ${round(result.rate)} jobs/s (with its worker's process start)`);
    if (result.rate > best.rate) best = { ...result, concurrency };
  }
  context.rss['3 drain, BullMQ baseline'] = { [`bullmq worker (concurrency ${best.concurrency})`]: best.rss };
  const bestWorkers = Math.max(one, two, four);
  const againstDirect = (figure: string, value: number, baseline: number): Row => ({
    scenario: '3 drain',
    figure,
    value: round(value),
    unit: '',
    baseline: { name: "the worker's SQL, direct through pg", value: round(baseline) },
    ratio: ratio(value, baseline),
    target: '≥ 0.60',
    met: (ratio(value, baseline) ?? 0) >= 0.6,
  });
  const againstBullmq = (figure: string, value: number): Row => ({
    scenario: '3 drain',
    figure,
    value: round(value),
    unit: '',
    baseline: { name: `BullMQ (concurrency ${best.concurrency})`, value: round(best.rate) },
    ratio: ratio(value, best.rate),
    target: '≥ 1.0',
    met: (ratio(value, best.rate) ?? 0) >= 1,
  });
  context.rows.push(
    againstDirect('events/s, created-only, best of 1, 2, 4 workers', bestWorkers, directCreated),
    againstDirect('events/s, mixed backlog out of order, 2 workers', mixed, directMixed),
    {
      scenario: '3 drain',
      figure: 'events/s, 4 workers',
      value: round(four),
      unit: '',
      baseline: { name: 'events/s, 1 worker', value: round(one) },
      ratio: ratio(four, one),
    },
    againstBullmq('events/s, 1 worker', one),
    {
      scenario: '3 drain',
      figure: `events/s, 1 worker with ${settingsLabel(SMALL_HEAP)}`,
      value: round(smallHeap),
      unit: '',
      baseline: { name: 'events/s, 1 worker', value: round(one) },
      ratio: ratio(smallHeap, one),
    },
    againstBullmq('events/s, 2 workers', two),
    {
      scenario: '3 drain',
      figure: 'events/s, best of 1, 2 and 4 workers',
      value: round(bestWorkers),
      unit: '',
      baseline: { name: 'plain batched INSERT rows/s', value: round(plain) },
      ratio: ratio(bestWorkers, plain),
    },
    {
      scenario: '3 drain',
      figure: 'events/s, mixed backlog out of order, 2 workers',
      value: round(mixed),
      unit: '',
      baseline: { name: 'created-only drain, 2 workers', value: round(two) },
      ratio: ratio(mixed, two),
      target: '≥ 0.8',
      met: (ratio(mixed, two) ?? 0) >= 0.8,
    },
  );
}
