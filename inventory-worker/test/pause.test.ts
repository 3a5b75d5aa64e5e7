// Consumption paused by an operator (the state in Redis beside the stream): the worker stops reading and
// claiming, holds what is pending without spending a retry, stays ready saying "paused", keeps the pause
// across a restart, and drains the backlog once resumed.
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { ConsumptionSwitch } from '@stockstream/inventory-core';
import { startHealthServer } from '../src/health-server';
import { productCreated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
let worker: InProcessWorker;
const streams = testStreams();
// Looks at the pause every 100 ms, so that the test need not wait the shipped 2 s.
const options = () => consumerOptions(streams, { claimIntervalMs: 100 });

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  worker = await startWorker(options(), { databaseUrl: database.url });
});
afterAll(async () => {
  await worker.stop([streams.stream, streams.deadLetterStream, `${streams.stream}:consumption`]);
  await database.drop();
});

const processed = () => worker.outcomes.count('product.created', 'processed');

test('paused, a worker reads nothing and stays ready saying so; resumed, it drains what came meanwhile', async () => {
  const consumption = new ConsumptionSwitch(worker.redis, streams.stream);
  await publish(worker.redis, streams.stream, [productCreated(), productCreated()]);
  await waitFor('the first two applied', () => processed() === 2);

  expect(await consumption.pause({ reason: 'bad deploy of the price service', by: 'test' })).toMatchObject({
    paused: true,
    reason: 'bad deploy of the price service',
    by: 'test',
  });
  await waitFor('the worker to see the pause', () => worker.consumer.paused);
  const during = Array.from({ length: 5 }, () => productCreated());
  await publish(worker.redis, streams.stream, during);
  // Observed, not slept: it looked at the pause ten more times after the entries arrived.
  const looks = worker.outcomes.pausedLooks;
  await waitFor('ten more looks at the pause', () => worker.outcomes.pausedLooks >= looks + 10);
  expect(processed()).toBe(2);
  const [group] = await worker.redis.xInfoGroups(streams.stream);
  expect(group).toMatchObject({ pending: 0, lag: 5 });

  const health = await startHealthServer({ db: worker.db, redis: worker.redis, consumer: worker.consumer }, 0, '127.0.0.1');
  try {
    const ready = await fetch(`http://127.0.0.1:${health.port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'paused',
      checks: { consumer: { ok: true, detail: 'paused: bad deploy of the price service' } },
    });
  } finally {
    await health.close();
  }

  expect(await consumption.resume()).toMatchObject({ paused: false });
  await waitFor('the backlog drained', () => processed() === 7);
  expect(worker.consumer.paused).toBe(false);
});

test('a worker that starts while consumption is paused holds from its first read', async () => {
  const consumption = new ConsumptionSwitch(worker.redis, streams.stream);
  await consumption.pause({ by: 'test' });
  const late = await startWorker(options(), { databaseUrl: database.url });
  try {
    expect(late.consumer.paused).toBe(true);
    await publish(worker.redis, streams.stream, [productCreated()]);
    const looks = late.outcomes.pausedLooks;
    await waitFor('ten looks at the pause', () => late.outcomes.pausedLooks >= looks + 10);
    expect(late.outcomes.count('product.created', 'processed')).toBe(0);
    await consumption.resume();
    await waitFor('the entry applied by one of them', () => late.outcomes.count('product.created', 'processed') + processed() === 8);
  } finally {
    await late.stop();
  }
});
