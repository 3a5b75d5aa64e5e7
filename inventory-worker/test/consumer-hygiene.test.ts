// Workers come and go (each process is a consumer of its own name): the group keeps only those that are
// alive or still hold pending entries, so XINFO CONSUMERS stays bounded across restarts.
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { removeIdleConsumers } from '../src/consumer/consumer-hygiene';
import { productCreated, publish } from './support/events';
import { connectTestRedis } from '../../platform/test/support/redis-client';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
const streams = testStreams();
// Short thresholds, so that the test need not wait an hour: consumers idle 300 ms are gone.
const options = () => consumerOptions(streams, { consumerIdleMs: 300, pruneIntervalMs: 50, blockMs: 20 });
let last: InProcessWorker | undefined;

beforeAll(async () => {
  database = await createTestDatabase('inventory');
});
afterAll(async () => {
  await last?.stop([streams.stream, streams.deadLetterStream]);
  await database.drop();
});

test('across 20 worker restarts the group keeps a bounded number of consumers; one with pending entries stays', async () => {
  let worker = await startWorker(options(), { databaseUrl: database.url });
  await worker.stop();
  // A consumer that took an entry and died before acknowledging it (no worker runs meanwhile).
  const redis = await connectTestRedis();
  await publish(redis, streams.stream, [productCreated()]);
  await redis.xReadGroup(streams.group, 'crashed-holder', { key: streams.stream, id: '>' }, { COUNT: 1 });
  await redis.close();

  let latest = options();
  for (let restart = 0; restart < 20; restart++) {
    latest = options();
    worker = await startWorker(latest, { databaseUrl: database.url });
    await sleep(60);
    if (restart < 19) await worker.stop();
  }
  last = worker;
  await sleep(400);
  const names = await waitFor('the idle consumers removed', async () => {
    const consumers = await worker.redis.xInfoConsumers(streams.stream, streams.group);
    return consumers.length <= 3 ? consumers.map((consumer) => String(consumer.name)) : undefined;
  });
  expect(names).toContain('crashed-holder');
  expect(names).toContain(latest.consumer);
});

test('a consumer with pending entries is never removed, however long it has been idle', async () => {
  const worker = last as InProcessWorker;
  const holder = (await worker.redis.xInfoConsumers(streams.stream, streams.group)).find((c) => String(c.name) === 'crashed-holder');
  expect(Number(holder?.pending)).toBe(1);
  expect(Number(holder?.idle)).toBeGreaterThan(300);
  expect(await removeIdleConsumers(worker.redis, { ...options(), consumer: 'someone-else' })).not.toContain('crashed-holder');
});
