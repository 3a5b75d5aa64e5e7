// Worker processes against the claim threshold: a SIGKILLed worker's entries are claimed (XAUTOCLAIM) by
// another within the default claim time and applied once; a slow worker's entries, kept fresh, are not.
import { Client } from 'pg';
import { productCreated, publish } from './support/events';
import { WorkerProcesses } from './support/worker-processes';
import { waitFor } from '../../platform/test/support/wait';

const fixture = new WorkerProcesses();
const { streams } = fixture;

beforeAll(() => fixture.setUp());
afterAll(() => fixture.tearDown());

const BATCH_SIZE = 10;
const start = (name: string, env: Record<string, string> = {}) =>
  fixture.start(name, { BLOCK_MS: '200', BATCH_SIZE: String(BATCH_SIZE), ...env });

/** Holds every worker inside its first transaction: a lock on processed_events stops its inserts. */
async function blockApplying(): Promise<{ release(): Promise<void> }> {
  const blocker = new Client({ connectionString: fixture.database.url });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE processed_events IN EXCLUSIVE MODE');
  return {
    async release() {
      await blocker.query('ROLLBACK');
      await blocker.end();
    },
  };
}

/** Backends on the test database other than the fixture's own idle ones: a statement still running. */
async function otherBackends(): Promise<number> {
  const [row] = await fixture.db.$queryRaw<{ count: bigint }[]>`
    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`;
  return Number(row?.count ?? 0);
}

const pendingOf = (consumer: string) => fixture.redis.xPendingRange(streams.stream, streams.group, '-', '+', 100, { consumer });

test('entries held by a killed worker are applied once by another within the default claim time (15 s)', async () => {
  const events = Array.from({ length: 25 }, () => productCreated());
  const block = await blockApplying();
  await fixture.redis.xGroupCreate(streams.stream, streams.group, '0', { MKSTREAM: true });
  await publish(fixture.redis, streams.stream, events);
  const doomed = await start('doomed-worker');
  const held = await waitFor('entries delivered to the doomed worker', async () => {
    const pending = await pendingOf('doomed-worker');
    // Two batches in flight (BATCHES_IN_FLIGHT's default), both held.
    return pending.length === 2 * BATCH_SIZE ? pending : undefined;
  });
  expect(held.every((entry) => entry.deliveriesCounter === 1)).toBe(true);

  doomed.child.kill('SIGKILL');
  await doomed.exited;
  await block.release();
  // Each of its batches is one statement, which Postgres finishes and commits although the client is gone
  // (as if it had died between commit and XACK): each whole or not at all, its entries pending either way.
  await waitFor('the killed worker’s statement to end', async () => (await otherBackends()) === 0);
  const committedByDoomed = await fixture.db.inventoryItem.count();
  expect(committedByDoomed % BATCH_SIZE).toBe(0);
  expect((await pendingOf('doomed-worker')).length).toBe(held.length);

  // The rescuer runs with the shipped defaults (CLAIM_IDLE_MS 10 s, claims every 2 s).
  const rescuer = await start('rescuer-worker', { BLOCK_MS: '2000' });
  await waitFor('every product to have its record', async () => (await fixture.db.inventoryItem.count()) === events.length, 15_000);
  await waitFor('no entry pending', async () => (await fixture.redis.xPending(streams.stream, streams.group)).pending === 0);
  expect(rescuer.lines.some((line) => line.includes('claimed idle entries'))).toBe(true);

  expect(await fixture.db.processedEvent.count()).toBe(events.length);
  const outcomes = (outcome: string) => rescuer.lines.filter((line) => line.includes(`"outcome":"${outcome}"`));
  expect(outcomes('processed')).toHaveLength(events.length - committedByDoomed);
  expect(outcomes('duplicate')).toHaveLength(committedByDoomed);
  const items = await fixture.db.inventoryItem.findMany();
  expect(new Set(items.map((item) => item.productId))).toEqual(new Set(events.map((event) => event.data.productId)));
  expect(items.every((item) => item.quantity === 100)).toBe(true);
  expect(await fixture.redis.xLen(streams.deadLetterStream)).toBe(0);
  rescuer.child.kill('SIGTERM');
  expect(await rescuer.exited).toBe(0);
});

test('a worker slower than the claim threshold keeps its entries: they are kept fresh, not claimed by another', async () => {
  const events = Array.from({ length: 10 }, () => productCreated());
  const block = await blockApplying();
  await publish(fixture.redis, streams.stream, events);
  const fast = { CLAIM_IDLE_MS: '600', CLAIM_INTERVAL_MS: '100' };
  await start('slow-worker', fast);
  await waitFor('the slow worker to hold all ten', async () => (await pendingOf('slow-worker')).length === 10);
  const other = await start('other-worker', fast);
  // Observed, not slept: the other worker's claim rounds, thirty of them (five claim thresholds).
  const rounds = async () => {
    const text = await (await fetch(`http://127.0.0.1:${other.port}/metrics`)).text();
    return Number(/^consumer_claim_rounds_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  };
  await waitFor('thirty claim rounds of the other worker', async () => (await rounds()) >= 30, 20_000, 100);

  const pending = await pendingOf('slow-worker');
  expect(pending).toHaveLength(10);
  expect(pending.every((entry) => entry.deliveriesCounter === 1)).toBe(true);
  expect(pending.every((entry) => entry.millisecondsSinceLastDelivery < 600)).toBe(true);
  await block.release();
  await waitFor(
    'all applied',
    async () => (await fixture.db.processedEvent.count({ where: { eventId: { in: events.map((e) => e.id) } } })) === 10,
  );
  expect(other.lines.some((line) => line.includes('claimed idle entries'))).toBe(false);
  await waitFor('no entry pending', async () => (await fixture.redis.xPending(streams.stream, streams.group)).pending === 0);
});
