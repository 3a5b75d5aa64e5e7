// The consumer loop survives its own failures: with the dead-letter step failing, consumption goes on,
// the failure is counted and shows in readiness while it lasts, and the entry is dead-lettered after.
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { redisDeadLetterWriter } from '../src/consumer/dead-letters';
import type { DeadLetterWriter } from '../src/consumer/dead-letters';
import { productCreated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
let worker: InProcessWorker;
const streams = testStreams();
const options = consumerOptions(streams, { claimIdleMs: 300, claimIntervalMs: 50 });
let deadLettersWork = false;

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  const real: { write?: DeadLetterWriter } = {};
  const flaky: DeadLetterWriter = async (entry, failure) => {
    if (!deadLettersWork || !real.write) throw new Error('injected: the dead-letter stream refuses writes');
    return real.write(entry, failure);
  };
  worker = await startWorker(options, { databaseUrl: database.url }, flaky);
  real.write = redisDeadLetterWriter(worker.redis, options);
});
afterAll(async () => {
  await worker.stop([streams.stream, streams.deadLetterStream]);
  await database.drop();
});

test('a failing dead-letter step neither stops consumption nor loses the entry; readiness shows it while it lasts', async () => {
  expect(worker.consumer.health()).toEqual({ ok: true });
  const [badId] = [await worker.redis.xAdd(streams.stream, '*', { id: 'not-a-uuid', type: 'product.created', data: '{}' })];
  await publish(worker.redis, streams.stream, [productCreated(), productCreated()]);
  await waitFor('the good events applied', () => worker.outcomes.count('product.created', 'processed') === 2);
  await waitFor('the loop to report its failure', () => !worker.consumer.health().ok);
  expect(worker.consumer.health()).toMatchObject({ ok: false, detail: expect.stringContaining('dead-letter stream refuses') });

  // Still consuming while it fails, and the invalid entry waits pending, claimed again and again.
  await publish(worker.redis, streams.stream, [productCreated()]);
  await waitFor('a later event applied', () => worker.outcomes.count('product.created', 'processed') === 3);
  await waitFor('the failing entry claimed again', async () => {
    const [pending] = await worker.redis.xPendingRange(streams.stream, streams.group, badId, badId, 1);
    return (pending?.deliveriesCounter ?? 0) >= 3;
  });
  expect(worker.outcomes.loopErrors).toBeGreaterThanOrEqual(2);

  deadLettersWork = true;
  await waitFor('the entry dead-lettered', async () => (await worker.redis.xLen(streams.deadLetterStream)) === 1);
  await waitFor('readiness back', () => worker.consumer.health().ok, 5_000);
  expect(await worker.redis.xPending(streams.stream, streams.group)).toMatchObject({ pending: 0 });
});
