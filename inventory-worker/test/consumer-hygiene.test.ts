// Workers come and go (each process is a consumer of its own name): the group keeps only those that are
// alive or still hold pending entries, so XINFO CONSUMERS stays bounded across restarts.
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
let last: InProcessWorker;
let latestConsumer: string;

const consumersNow = async () => (await last.redis.xInfoConsumers(streams.stream, streams.group)).map((consumer) => String(consumer.name));

/**
 * Twenty worker restarts, each one's consumer seen in the group before it stops, after a consumer that
 * took an entry and died before acknowledging it (no worker ran meanwhile). The last worker keeps running.
 */
beforeAll(async () => {
  database = await createTestDatabase('inventory');
  let worker = await startWorker(options(), { databaseUrl: database.url });
  await worker.stop();
  const redis = await connectTestRedis();
  await publish(redis, streams.stream, [productCreated()]);
  await redis.xReadGroup(streams.group, 'crashed-holder', { key: streams.stream, id: '>' }, { COUNT: 1 });
  await redis.close();

  for (let restart = 0; restart < 20; restart++) {
    const latest = options();
    worker = await startWorker(latest, { databaseUrl: database.url });
    await waitFor(`consumer ${latest.consumer} in the group`, async () =>
      (await worker.redis.xInfoConsumers(streams.stream, streams.group)).some((consumer) => String(consumer.name) === latest.consumer),
    );
    latestConsumer = latest.consumer;
    if (restart < 19) await worker.stop();
  }
  last = worker;
});
afterAll(async () => {
  await last.stop([streams.stream, streams.deadLetterStream]);
  await database.drop();
});

test('across 20 worker restarts the group keeps a bounded number of consumers; one with pending entries stays', async () => {
  const names = await waitFor('the idle consumers removed', async () => {
    const consumers = await consumersNow();
    return consumers.length <= 3 ? consumers : undefined;
  });
  expect(names).toContain('crashed-holder');
  expect(names).toContain(latestConsumer);
});

test('a consumer with pending entries is never removed, however long it has been idle', async () => {
  const holder = await waitFor('the crashed holder idle past the threshold', async () => {
    const found = (await last.redis.xInfoConsumers(streams.stream, streams.group)).find((c) => String(c.name) === 'crashed-holder');
    return found && Number(found.idle) > 300 ? found : undefined;
  });
  expect(Number(holder.pending)).toBe(1);
  expect(await removeIdleConsumers(last.redis, { ...options(), consumer: 'someone-else' })).not.toContain('crashed-holder');
  expect(await consumersNow()).toContain('crashed-holder');
});
