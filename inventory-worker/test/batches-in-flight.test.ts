// A worker applies the next batch while one is still being applied: events that arrive behind a slow
// batch do not wait for it. And the loop's helper keeps its limit and hands a batch's failure on.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { BatchesInFlight } from '../src/consumer/batches-in-flight';
import { productCreated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

describe('a worker with two batches in flight', () => {
  let database: TestDatabase;
  let worker: InProcessWorker;
  const streams = testStreams();

  beforeAll(async () => {
    database = await createTestDatabase('inventory');
    worker = await startWorker(consumerOptions(streams, { batchesInFlight: 2 }), { databaseUrl: database.url });
  });
  afterAll(async () => {
    await worker.redis.del([streams.stream, streams.deadLetterStream]);
    await worker.stop();
    await database.drop();
  });

  test('applies an event that arrives while the batch before it waits on a lock', async () => {
    const [slow, quick] = [productCreated(), productCreated()];
    // Holds the product lock the apply takes first (ADR 4), so that slow's batch waits inside Postgres.
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(hashtextextended($1::text, 0))', [slow.data.productId]);
    try {
      await publish(worker.redis, streams.stream, [slow]);
      await waitFor('slow’s batch waiting on the lock', async () => {
        const { rows } = await holder.query<{ waiting: string }>(
          "SELECT count(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        return Number(rows[0]?.waiting) === 1;
      });
      await publish(worker.redis, streams.stream, [quick]);
      await waitFor('quick’s record', () => worker.db.inventoryItem.findUnique({ where: { productId: quick.data.productId } }));
      expect(await worker.db.inventoryItem.count({ where: { productId: slow.data.productId } })).toBe(0);
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()');
      await holder.end();
    }
    // Counted once acknowledged, after the commit: both applied, each once.
    await waitFor('both events handled', () => worker.outcomes.count('product.created', 'processed') === 2);
    expect(await worker.db.inventoryItem.count({ where: { productId: { in: [slow.data.productId, quick.data.productId] } } })).toBe(2);
  });
});

describe('BatchesInFlight', () => {
  const gate = () => {
    let open = () => undefined as void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  };

  test('takes batches until the limit, then waits for one to finish', async () => {
    const batches = new BatchesInFlight(2);
    const [first, second] = [gate(), gate()];
    await batches.add(first.opened);
    let added = false;
    const adding = batches.add(second.opened).then(() => (added = true));
    await sleep(20);
    expect(added).toBe(false);
    expect(batches.size).toBe(2);
    first.open();
    await adding;
    expect(batches.size).toBe(1);
    second.open();
    await batches.settle();
    expect(batches.size).toBe(0);
  });

  test('a failed batch is thrown by the next call that waits, once', async () => {
    const batches = new BatchesInFlight(2);
    await batches.add(Promise.reject(new Error('apply failed')));
    await expect(batches.settle()).rejects.toThrow('apply failed');
    await expect(batches.settle()).resolves.toBeUndefined();
  });
});
