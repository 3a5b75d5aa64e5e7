// The operator's CLI, run as `npm run dlq` runs it: the built inventory-api/dist/dead-letters/cli.js.
import { spawn, spawnSync } from 'node:child_process';
import readline from 'node:readline';
import path from 'node:path';
import { TEST_REDIS_URL, connectTestRedis } from '../../platform/test/support/redis-client';
import type { RedisClient } from '@stockstream/platform';
import { waitFor } from '../../platform/test/support/wait';
import { DeadLetterQueue } from '@stockstream/inventory-core';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { asFields, productEvent, seedDeadLetters, seedManyDeadLetters, testDeadLetterStreams } from './support/dead-letters';

const REDIS_URL = TEST_REDIS_URL;
const cli = path.join(__dirname, '..', 'dist', 'dead-letters', 'cli.js');
const streams = testDeadLetterStreams();
let redis: RedisClient;
let queue: DeadLetterQueue;
let database: TestDatabase;
let db: InventoryDb;

function dlq(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [cli, ...args], {
    env: {
      ...process.env,
      REDIS_URL,
      DEAD_LETTER_STREAM: streams.deadLetterStream,
      PRODUCT_STREAM: streams.stream,
      INVENTORY_DATABASE_URL: database.url,
      ...env,
    },
    encoding: 'utf8',
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

beforeAll(async () => {
  redis = await connectTestRedis();
  queue = new DeadLetterQueue(redis, streams.deadLetterStream, streams.stream);
  database = await createTestDatabase('inventory');
  db = createInventoryDb(database.url, { poolSize: 2 });
});
afterAll(async () => {
  await queue.purgeAll();
  await redis.del([streams.stream, `${streams.stream}:consumption`]);
  await redis.close();
  await db.$disconnect();
  await database.drop();
});
beforeEach(async () => {
  await queue.purgeAll();
  await redis.del(streams.stream);
});

const seed = () =>
  seedDeadLetters(redis, streams, [
    { fields: asFields(productEvent()), reason: 'max-deliveries', error: 'boom' },
    { fields: { id: 'junk', type: 'product.created', data: '{' }, reason: 'invalid', error: 'data: not valid JSON' },
    { fields: asFields(productEvent('product.updated')), reason: 'max-deliveries', error: 'no record' },
  ]);

describe('npm run dlq', () => {
  test('list prints a table with the original id, type, reason, deliveries and time; --json and filters work', async () => {
    const ids = await seed();
    const table = dlq(['list']);
    expect(table.code).toBe(0);
    const lines = table.out.trim().split('\n');
    expect(lines[0]).toMatch(/^DLQ ID +ORIGINAL ID +TYPE +REASON +DELIVERIES +FAILED AT +ERROR$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(ids[2]); // newest first
    expect(lines[2]).toContain(ids[1]);
    expect(lines[2]).toMatch(/invalid +1 /);
    const json = JSON.parse(dlq(['list', '--json', '--reason', 'max-deliveries', '--type', 'product.updated']).out);
    expect(json).toEqual({ items: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
    const first = dlq(['list', '--limit', '2']).out;
    expect(first).toContain(`more: --cursor ${ids[1]}`);
    const rest = JSON.parse(dlq(['list', '--json', '--limit', '2', '--cursor', ids[1]!]).out);
    expect(rest.items.map((letter: { id: string }) => letter.id)).toEqual([ids[0]]);
    expect(dlq(['list', '--since', 'yesterday']).code).toBe(2);
  });

  test('list --all streams every letter, a line (or a JSON object) each, page after page', async () => {
    const ids = await seedManyDeadLetters(redis, streams, 1_200, (i) => ({
      fields: asFields(productEvent()),
      reason: 'max-deliveries',
      error: `boom ${i}`,
    }));
    const all = dlq(['list', '--all', '--json', '--oldest']);
    expect(all.code).toBe(0);
    expect(
      all.out
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: string }).id),
    ).toEqual(ids);
    expect(dlq(['list', '--all', '--q', 'boom 1199']).out.trim().split('\n')).toEqual([expect.stringContaining(ids[1199]!)]);
  });

  test('groups lists the causes; replay --group and purge --group --yes act on one, as a job, audited as cli:<user>', async () => {
    await seedManyDeadLetters(redis, streams, 30, (i) => ({
      fields: asFields(productEvent()),
      reason: 'max-deliveries',
      error: i < 20 ? `no inventory record for ${i}` : `sku '${i}' refused`,
    }));
    const groups = dlq(['groups']);
    expect(groups.code).toBe(0);
    const [large, small] = groups.out.trim().split('\n');
    expect(large).toMatch(/^[0-9a-f]{12} +20 +max-deliveries +no inventory record for <n>$/);
    expect(small).toMatch(/^[0-9a-f]{12} +10 +max-deliveries +sku '…' refused$/);
    const replayed = dlq(['replay', '--group', large!.slice(0, 12)]);
    expect(replayed.code).toBe(0);
    expect(replayed.out).toMatch(/job .* done: 20 replayed, 0 skipped/);
    expect(await redis.xLen(streams.stream)).toBe(20);
    expect(dlq(['purge', '--group', small!.slice(0, 12)]).code).toBe(2);
    expect(dlq(['purge', '--group', small!.slice(0, 12), '--yes']).out).toMatch(/done: 10 purged/);
    expect(await redis.xLen(streams.deadLetterStream)).toBe(0);
    expect(dlq(['replay', '--group', large!.slice(0, 12)]).code).toBe(1);
    const actions = await db.adminAction.findMany({ orderBy: { id: 'asc' } });
    expect(actions.map((action) => [action.actor.startsWith('cli'), action.action, action.outcome, action.count])).toEqual([
      [true, 'dead-letter.group-replay', 'started', 20],
      [true, 'dead-letter.group-replay', 'ok', 20],
      [true, 'dead-letter.group-purge', 'started', 10],
      [true, 'dead-letter.group-purge', 'ok', 10],
    ]);
    await db.adminAction.deleteMany();
  });

  test('an action when the audit database does not answer exits 5 and does nothing', async () => {
    const [id] = await seed();
    const down = dlq(['purge', id!], { INVENTORY_DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' });
    expect(down.code).toBe(5);
    expect(down.err).toContain('the inventory database does not answer');
    expect(await redis.xLen(streams.deadLetterStream)).toBe(3);
  });

  test('show prints one whole, with the event; an unknown id exits 1', async () => {
    const ids = await seed();
    const shown = dlq(['show', ids[0]!]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({
      id: ids[0],
      reason: 'max-deliveries',
      original: { type: 'product.created', data: { name: 'Dead product' } },
    });
    const unknown = dlq(['show', '1-1']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no dead letter 1-1');
  });

  test('replay moves the named entries back to the product stream; replay --all --reason takes only those', async () => {
    const ids = await seed();
    const one = dlq(['replay', ids[0]!, '9-9']);
    expect(one.code).toBe(1); // 9-9 is unknown, the other was replayed
    expect(one.out).toContain(`replayed ${ids[0]}`);
    expect(await redis.xLen(streams.deadLetterStream)).toBe(2);
    const rest = dlq(['replay', '--all', '--reason', 'max-deliveries']);
    expect(rest.code).toBe(0);
    expect(rest.out).toContain(`replayed ${ids[2]}`);
    expect((await redis.xRange(streams.deadLetterStream, '-', '+'))?.map((entry) => entry?.id)).toEqual([ids[1]]);
  });

  test('purge removes named entries; purge --all needs --yes', async () => {
    const ids = await seed();
    expect(dlq(['purge', ids[1]!]).code).toBe(0);
    expect(await redis.xLen(streams.deadLetterStream)).toBe(2);
    const refused = dlq(['purge', '--all']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--yes');
    expect(dlq(['purge', '--all', '--yes']).out).toContain('purged 2 dead letters');
    expect(await redis.xLen(streams.deadLetterStream)).toBe(0);
  });

  test('stats counts by reason and type and tells the age of the oldest', async () => {
    await seed();
    const stats = JSON.parse(dlq(['stats', '--json']).out);
    expect(stats).toMatchObject({
      total: 3,
      byReason: { 'max-deliveries': 2, invalid: 1 },
      byType: { 'product.created': 2, 'product.updated': 1 },
    });
    expect(stats.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(dlq(['stats']).out).toContain('dead letters: 3');
  });

  test('a wrong command exits 2 with the usage; a Redis that does not answer exits 3', () => {
    const wrong = dlq(['frobnicate']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('usage: npm run dlq');
    const down = dlq(['list'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.code).toBe(3);
    expect(down.err).toContain('Redis does not answer at redis://127.0.0.1:1');
  });

  test('watch prints a line for each new dead letter as it comes, and stops on Ctrl-C (SIGINT) with 0', async () => {
    await seed(); // already there: not printed
    const child = spawn(process.execPath, [cli, 'watch'], {
      env: { ...process.env, REDIS_URL, DEAD_LETTER_STREAM: streams.deadLetterStream, PRODUCT_STREAM: streams.stream },
    });
    const lines: string[] = [];
    readline.createInterface({ input: child.stdout }).on('line', (text) => lines.push(text));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor('the watch to start', () => lines.some((text) => text.startsWith('watching')));
    const event = productEvent();
    const [id] = await seedDeadLetters(redis, streams, [{ fields: asFields(event), reason: 'max-deliveries', error: 'still refused' }]);
    const printed = await waitFor('a line for the new dead letter', () => lines.find((text) => text.includes(id ?? '?')));
    expect(printed).toContain('max-deliveries');
    expect(printed).toContain(event.id);
    expect(printed).toContain('still refused');
    expect(lines).toHaveLength(2);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

/** A dead letter as a buggy producer or an old version could have left it: its fields as given. */
const addRawLetter = (fields: Record<string, string>, id = '*') =>
  redis.xAdd(streams.deadLetterStream, id, {
    originalId: '1-1',
    originalStream: streams.stream,
    group: 'inventory',
    consumer: 'w',
    reason: 'invalid',
    error: 'bad',
    deliveries: '1',
    failedAt: new Date().toISOString(),
    ...fields,
  });

describe('npm run dlq, with ids and letters that are wrong', () => {
  test('an id without its -seq part names no letter: replay, show and purge exit 2 and do nothing', async () => {
    const ms = Date.now() + 1_000_000;
    const fields = JSON.stringify(asFields(productEvent()));
    await addRawLetter({ fields }, `${ms}-0`);
    await addRawLetter({ fields: JSON.stringify(asFields(productEvent())) }, `${ms}-1`);
    for (const command of ['replay', 'show', 'purge']) {
      const run = dlq([command, String(ms)]);
      expect({ command, code: run.code }).toEqual({ command, code: 2 });
      expect(run.err).toContain(`"${ms}": not a dead-letter id`);
    }
    expect(await redis.xLen(streams.deadLetterStream)).toBe(2);
    expect(await redis.exists(streams.stream)).toBe(0);
  });

  test('replay checks every id first: one malformed id among good ones exits 2 and replays none', async () => {
    const ids = await seed();
    const run = dlq(['replay', ids[0]!, 'abc', ids[2]!]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('"abc": not a dead-letter id');
    expect(run.err).toContain('nothing done');
    expect(await redis.xLen(streams.deadLetterStream)).toBe(3);
  });

  test('replay reports each id: replayed, unknown, or not replayable (its fields are not a stream entry); --all goes past the bad ones', async () => {
    const [good] = await seed();
    const missing = await addRawLetter({});
    const notJson = await addRawLetter({ fields: 'not json' });
    const notObject = await addRawLetter({ fields: '[1,2]' });
    const nested = await addRawLetter({ fields: JSON.stringify({ id: 'x', data: { nested: true } }) });

    const some = dlq(['replay', good!, '1-1', nested]);
    expect(some.code).toBe(1);
    expect(some.out).toContain(`replayed ${good}`);
    expect(some.err).toContain('no dead letter 1-1');
    expect(some.err).toContain(`not replayed ${nested}: its field "data" is not a string`);

    const all = dlq(['replay', '--all']);
    expect(all.code).toBe(1);
    expect(all.out.match(/^replayed /gm)).toHaveLength(2);
    for (const [id, problem] of [
      [missing, 'the dead letter has no fields'],
      [notJson, 'its fields are not JSON'],
      [notObject, 'its fields are not a JSON object'],
    ]) {
      expect(all.err).toContain(`not replayed ${id}: ${problem}`);
    }
    const left = ((await redis.xRange(streams.deadLetterStream, '-', '+')) ?? []).map((entry) => entry.id);
    expect(left).toEqual([missing, notJson, notObject, nested]);
    // Nothing nested went on the stream as Lua's "table: 0x…".
    const published = (await redis.xRange(streams.stream, '-', '+')) ?? [];
    expect(published.flatMap((entry) => Object.values(entry.message)).some((value) => value.startsWith('table: '))).toBe(false);
  });

  test('a Redis URL with a password is masked in what the CLI prints', () => {
    const down = dlq(['stats'], { REDIS_URL: 'redis://:s3cret-pass@127.0.0.1:1' });
    expect(down.code).toBe(3);
    expect(down.err).toContain('redis://:***@127.0.0.1:1');
    expect(down.err).not.toContain('s3cret-pass');
  });
});

describe('npm run dlq pause / resume', () => {
  test('pause says since when and why, the workers read it from Redis; resume clears it', async () => {
    const paused = dlq(['pause', '--reason', 'bad deploy']);
    expect(paused.code).toBe(0);
    expect(paused.out).toMatch(/paused since .* by cli:\S+: bad deploy/);
    expect(await redis.hGetAll(`${streams.stream}:consumption`)).toMatchObject({
      paused: '1',
      by: expect.stringMatching(/^cli/),
      reason: 'bad deploy',
    });
    const resumed = dlq(['resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('resumed');
    expect(await redis.exists(`${streams.stream}:consumption`)).toBe(0);
  });
});
