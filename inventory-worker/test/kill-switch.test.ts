// When most applies fail for a reason that is not an outage (here a trigger that refuses every write of the
// stock table, as a bad deploy or a dropped column would), the workers pause consumption by themselves
// instead of dead-lettering the backlog; fixed and resumed, every event applies once. One poison event
// among healthy ones is dead-lettered as before, with no pause.
import { Client } from 'pg';
import { ConsumptionSwitch } from '@stockstream/inventory-core';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import type { ConsumerOptions } from '../src/consumer/consumer-options';
import { productCreated, publish } from './support/events';
import { consumerOptions, startWorker, testStreams } from './support/worker';
import type { InProcessWorker } from './support/worker';
import { waitFor } from '../../platform/test/support/wait';

const running: { worker: InProcessWorker; database: TestDatabase; keys: string[] }[] = [];
afterAll(async () => {
  for (const { worker, database, keys } of running) {
    await worker.stop(keys);
    await database.drop();
  }
});

/** A worker on a database of its own whose stock table refuses writes when `refuses` (SQL on NEW) holds. */
async function workerRefusing(refuses: string, overrides: Partial<ConsumerOptions>) {
  const database = await createTestDatabase('inventory');
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  await sql.query(`CREATE FUNCTION refuse_stock() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF ${refuses} THEN RAISE EXCEPTION 'column "colour" does not exist'; END IF; RETURN NEW; END $$`);
  await sql.query('CREATE TRIGGER refuse_stock BEFORE INSERT OR UPDATE ON inventory_items FOR EACH ROW EXECUTE FUNCTION refuse_stock()');
  await sql.end();
  const streams = testStreams();
  const worker = await startWorker(consumerOptions(streams, overrides), { databaseUrl: database.url });
  running.push({ worker, database, keys: [streams.stream, streams.deadLetterStream, `${streams.stream}:consumption`] });
  const fix = async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query('DROP TRIGGER refuse_stock ON inventory_items');
    await client.end();
  };
  return { worker, streams, fix, consumption: new ConsumptionSwitch(worker.redis, streams.stream) };
}

test('a bad deploy: every apply fails, the worker pauses consumption by itself, nothing reaches the dead letters; fixed and resumed, all apply once', async () => {
  const { worker, streams, fix, consumption } = await workerRefusing('true', { claimIntervalMs: 100, claimIdleMs: 1_000 });
  const events = Array.from({ length: 2_000 }, () => productCreated());
  await publish(worker.redis, streams.stream, events);

  const paused = await waitFor('consumption paused by the worker', async () => {
    const state = await consumption.state();
    return state.paused ? state : undefined;
  });
  expect(paused).toMatchObject({
    by: expect.stringContaining('worker '),
    reason: expect.stringMatching(/^kill switch: \d+ of \d+ applies failed/),
  });
  expect(paused.reason).toContain('column "colour" does not exist');
  expect(worker.outcomes.killSwitchTrips).toBe(1);
  expect(await worker.redis.xLen(streams.deadLetterStream)).toBe(0);

  await fix();
  await consumption.resume();
  await waitFor('every event applied', async () => (await worker.db.processedEvent.count()) === events.length, 60_000);
  expect(await worker.db.inventoryItem.count()).toBe(events.length);
  expect(await worker.redis.xLen(streams.deadLetterStream)).toBe(0);
  expect((await consumption.state()).paused).toBe(false);
});

test('one poison event among 1,000 good ones is dead-lettered, and consumption is not paused', async () => {
  const { worker, streams, consumption } = await workerRefusing("NEW.sku = 'POISON'", {
    maxDeliveries: 2,
    claimIdleMs: 200,
    claimIntervalMs: 50,
  });
  const events = Array.from({ length: 1_000 }, () => productCreated());
  const poison = productCreated();
  poison.data.sku = 'POISON';
  await publish(worker.redis, streams.stream, [...events.slice(0, 500), poison, ...events.slice(500)]);

  await waitFor('the poison dead-lettered', async () => (await worker.redis.xLen(streams.deadLetterStream)) === 1, 30_000);
  await waitFor('the good ones applied', async () => (await worker.db.inventoryItem.count()) === events.length);
  expect(worker.outcomes.killSwitchTrips).toBe(0);
  expect((await consumption.state()).paused).toBe(false);
  expect(worker.consumer.paused).toBe(false);
});
