import { randomUUID } from 'node:crypto';
import { DeadLetterFields } from '@stockstream/contracts';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productUpdated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from './support/wait';

let database: TestDatabase;
let worker: InProcessWorker;
const streams = testStreams();
const MAX_DELIVERIES = 4;

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  worker = await startWorker(consumerOptions(streams, { maxDeliveries: MAX_DELIVERIES, retryBaseMs: 20 }), { databaseUrl: database.url });
});
afterAll(async () => {
  await worker.redis.del([streams.stream, streams.deadLetterStream]);
  await worker.stop();
  await database.drop();
});

async function deadLetters() {
  return ((await worker.redis.xRange(streams.deadLetterStream, '-', '+')) ?? []).flatMap((entry) =>
    entry === null
      ? []
      : [
          {
            id: entry.id,
            ...DeadLetterFields.parse(entry.message),
          },
        ],
  );
}

describe('dead-letter stream', () => {
  test('a malformed entry goes to the dead-letter stream at once, with reason invalid, and is acknowledged', async () => {
    const id = await worker.redis.xAdd(streams.stream, '*', { id: 'not-a-uuid', type: 'product.created', data: '{broken' });
    const [letter] = await waitFor('a dead letter', async () => ((await deadLetters()).length > 0 ? deadLetters() : undefined));
    expect(letter).toMatchObject({
      originalId: id,
      originalStream: streams.stream,
      reason: 'invalid',
      deliveries: 1,
      eventId: 'not-a-uuid',
      type: 'product.created',
    });
    expect(letter?.error).toContain('data');
    expect(JSON.parse(letter?.fields ?? '{}')).toEqual({ id: 'not-a-uuid', type: 'product.created', data: '{broken' });
    expect(await worker.redis.xPendingRange(streams.stream, streams.group, '-', '+', 10)).toEqual([]);
  });

  test('an event that always fails goes to the dead-letter stream after exactly MAX_DELIVERIES deliveries', async () => {
    const productId = randomUUID(); // no inventory record will ever exist for it
    const [id] = await publish(worker.redis, streams.stream, [productUpdated(productId, 'GHOST', 'Ghost')]);
    const letter = await waitFor(
      'the poison event dead-lettered',
      async () => (await deadLetters()).find((entry) => entry.originalId === id),
      20_000,
    );
    expect(letter).toMatchObject({
      reason: 'max-deliveries',
      deliveries: MAX_DELIVERIES,
      type: 'product.updated',
      consumer: expect.stringMatching(/^test-worker-/),
    });
    expect(letter.error).toContain(`no inventory record for product ${productId}`);
    expect(worker.outcomes.count('product.updated', 'retried')).toBe(MAX_DELIVERIES - 1);
    expect(await worker.redis.xPendingRange(streams.stream, streams.group, '-', '+', 10)).toEqual([]);
  });
});
