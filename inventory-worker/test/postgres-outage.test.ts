// The worker loses Postgres for a few seconds (a proxy in front of it is cut, then restored): entries wait
// pending, none is dead-lettered for it, none loses a retry, and all are processed once it is back.
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, publish } from './support/events';
import { proxyInFrontOf } from '../../platform/test/support/tcp-proxy';
import type { TcpProxy } from '../../platform/test/support/tcp-proxy';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
let proxy: TcpProxy;
let worker: InProcessWorker;
const streams = testStreams();

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  const proxied = await proxyInFrontOf(database.url);
  proxy = proxied.proxy;
  // Two deliveries at most, and a claim threshold far shorter than the outage: an outage counted as
  // failures, or entries in hand left to go idle, would dead-letter them.
  worker = await startWorker(consumerOptions(streams, { maxDeliveries: 2, claimIdleMs: 600, claimIntervalMs: 100 }), {
    databaseUrl: proxied.url,
  });
});
afterAll(async () => {
  await proxy.up().catch(() => undefined);
  await worker.stop([streams.stream, streams.deadLetterStream]);
  await proxy.down();
  await database.drop();
});

test('entries published while the database is away are processed after, and none reaches the dead-letter stream', async () => {
  await publish(
    worker.redis,
    streams.stream,
    Array.from({ length: 5 }, () => productCreated()),
  );
  await waitFor('the first records', async () => worker.outcomes.count('product.created', 'processed') === 5);

  await proxy.down();
  const during = Array.from({ length: 20 }, () => productCreated());
  await publish(worker.redis, streams.stream, during);
  await waitFor('the worker to notice the outage', () => worker.consumer.waitingForDatabase);
  // Observed, not slept: five probes of the database with its backoff (0.1 + 0.2 + 0.4 + 0.8 + 1.6 s, five
  // claim thresholds) go by while it holds them.
  const probesBefore = worker.consumer.databaseProbes;
  await waitFor('five probes of the database during the outage', () => worker.consumer.databaseProbes >= probesBefore + 5);
  expect(worker.outcomes.count('product.created', 'processed')).toBe(5);
  const pending = await worker.redis.xPendingRange(streams.stream, streams.group, '-', '+', 100);
  expect(pending.every((entry) => entry.deliveriesCounter === 1)).toBe(true);

  await proxy.up();
  await waitFor('all processed', async () => worker.outcomes.count('product.created', 'processed') === 25, 30_000);
  await waitFor('no entry pending', async () => (await worker.redis.xPending(streams.stream, streams.group)).pending === 0);
  expect(await worker.db.inventoryItem.count()).toBe(25);
  expect(await worker.redis.xLen(streams.deadLetterStream)).toBe(0);
  expect(worker.outcomes.count('product.created', 'retried')).toBe(0);
});
