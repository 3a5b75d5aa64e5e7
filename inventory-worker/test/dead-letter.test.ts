import { DeadLetterFields, toStreamFields } from '@stockstream/contracts';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { productCreated, publish } from './support/events';
import { poisonSkus } from './support/poison';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

let database: TestDatabase;
let worker: InProcessWorker;
const streams = testStreams();
const MAX_DELIVERIES = 4;

beforeAll(async () => {
  database = await createTestDatabase('inventory');
  await poisonSkus(database.url);
  // Retries come from claims: an entry left idle for claimIdleMs is delivered again.
  worker = await startWorker(consumerOptions(streams, { maxDeliveries: MAX_DELIVERIES, claimIdleMs: 200, claimIntervalMs: 50 }), {
    databaseUrl: database.url,
  });
});
afterAll(async () => {
  await worker.stop([streams.stream, streams.deadLetterStream]);
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

  test('an event whose text Postgres cannot store (a NUL) is invalid at once, not retried', async () => {
    const event = productCreated({ name: 'Mug\u0000' });
    const [id] = await publish(worker.redis, streams.stream, [event]);
    const letter = await waitFor('the dead letter', async () => (await deadLetters()).find((entry) => entry.originalId === id));
    expect(letter).toMatchObject({ reason: 'invalid', deliveries: 1, eventId: event.id });
    expect(letter.error).toContain('NUL');
  });

  test('pending entries whose message was trimmed from the stream are dead-lettered (reason trimmed), never left pending', async () => {
    // Added and delivered to a consumer that then died, in one MULTI, so that the live worker cannot take them first.
    const replies = await worker.redis
      .multi()
      .xAdd(streams.stream, '*', toStreamFields(productCreated()))
      .xAdd(streams.stream, '*', toStreamFields(productCreated()))
      .xReadGroup(streams.group, 'crashed-consumer', { key: streams.stream, id: '>' }, { COUNT: 2 })
      .exec();
    const ids = replies.slice(0, 2).map(String);
    await worker.redis.xDel(streams.stream, ids);
    const letters = await waitFor('two dead letters of reason trimmed', async () => {
      const trimmed = (await deadLetters()).filter((entry) => entry.reason === 'trimmed');
      return trimmed.length === 2 ? trimmed : undefined;
    });
    expect(letters.map((letter) => letter.originalId).sort()).toEqual([...ids].sort());
    expect(await worker.redis.xPendingRange(streams.stream, streams.group, '-', '+', 10)).toEqual([]);
  });

  test('an event that always fails is retried by claims and dead-lettered after exactly MAX_DELIVERIES; the rest of its batch is applied', async () => {
    const good = Array.from({ length: 30 }, () => productCreated());
    const poison = productCreated({ sku: 'POISON-1' });
    const ids = await publish(worker.redis, streams.stream, [...good.slice(0, 15), poison, ...good.slice(15)]);
    await waitFor('the good events', () => worker.outcomes.count('product.created', 'processed') === 30);
    const letter = await waitFor(
      'the poison event dead-lettered',
      async () => (await deadLetters()).find((entry) => entry.originalId === ids[15]),
      20_000,
    );
    expect(letter).toMatchObject({
      reason: 'max-deliveries',
      deliveries: MAX_DELIVERIES,
      type: 'product.created',
      eventId: poison.id,
      consumer: expect.stringMatching(/^test-worker-/),
    });
    expect(letter.error).toContain('sku POISON-1 is refused');
    expect(worker.outcomes.count('product.created', 'retried')).toBe(MAX_DELIVERIES - 1);
    expect(await worker.redis.xPendingRange(streams.stream, streams.group, '-', '+', 10)).toEqual([]);
    expect(await worker.db.inventoryItem.count()).toBe(30);
  });
});
