// Dead letters at scale: paging through 20,000 by cursor, causes kept as letters come and go, group jobs
// that work in pages, refuse a second job on a cause, and go on after their process stops.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { connectTestRedis } from '../../platform/test/support/redis-client';
import { TEST_LOG_LEVEL } from '../../platform/test/support/log-level';
import { waitFor } from '../../platform/test/support/wait';
import { asFields, productEvent, seedManyDeadLetters, testDeadLetterStreams } from './support/dead-letters';
import { startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';
import { AdminAudit } from '../src/admin/admin-audit';
import { CauseJobs } from '../src/admin/cause-jobs';

const API_KEY = 'groups-admin-key-0123456789';
let redis: RedisClient;
let api: InventoryApiHarness;
let streams: ReturnType<typeof testDeadLetterStreams>;

const noRecord = () => {
  const event = productEvent('product.updated');
  return {
    fields: asFields(event),
    reason: 'max-deliveries' as const,
    error: `no inventory record for ${event.data.productId} (version 7)`,
  };
};
const refused = (i: number) => ({
  fields: asFields(productEvent()),
  reason: 'max-deliveries' as const,
  error: `sku 'POISON-${i}' is refused`,
});
const invalid = (i: number) => ({
  fields: { id: `x-${i}`, data: '{' },
  reason: 'invalid' as const,
  error: `data: Unexpected token at position ${i}`,
});

beforeAll(async () => {
  redis = await connectTestRedis();
});
beforeEach(async () => {
  streams = testDeadLetterStreams();
  api = await startInventoryApi({
    redis,
    apiKey: API_KEY,
    deadLetterStream: streams.deadLetterStream,
    productStream: streams.stream,
    jobs: { pageSize: 100, staleMs: 1_000 },
  });
});
afterEach(async () => {
  await api.close();
  await api.admin?.deadLetters.purgeAll();
  await redis.del([streams.stream, `${streams.stream}:consumption`]);
});
afterAll(() => redis.close());

const admin = (method: 'get' | 'post' | 'delete', path: string) => api.http[method](path).set('X-API-Key', API_KEY);

interface Page {
  items: { id: string }[];
  nextCursor: string | null;
}

/** Follows nextCursor from the first page to the last: every id seen, in order, and the number of pages. */
async function walk(query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const page: Page = (await admin('get', `/admin/dlq?${query}${cursor ? `&cursor=${cursor}` : ''}`).expect(200)).body;
    ids.push(...page.items.map((letter) => letter.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null);
  return { ids, pages };
}

test('20,000 letters: following nextCursor reaches every letter exactly once, newest first and oldest first, and by cause', async () => {
  const ids = await seedManyDeadLetters(redis, streams, 20_000, (i) => (i % 4 === 0 ? refused(i) : noRecord()));
  expect((await walk('limit=500&order=newest')).ids).toEqual([...ids].reverse());
  expect((await walk('limit=500&order=oldest')).ids).toEqual(ids);
  const { body: groups } = await admin('get', '/admin/dlq/groups').expect(200);
  expect(groups.items.map((group: { count: number }) => group.count)).toEqual([15_000, 5_000]);
  const refusedIds = new Set(ids.filter((_, i) => i % 4 === 0));
  const seen = (await walk(`limit=500&cause=${groups.items[1].id}`)).ids;
  expect(new Set(seen)).toEqual(refusedIds);
  expect(seen).toHaveLength(5_000);
  // A filter that matches one letter in 20,000 still answers: pages read at most a stretch, and go on by cursor.
  const target = ids[12_345]!;
  const wanted = (await admin('get', `/admin/dlq/${target}`).expect(200)).body.eventId as string;
  const { ids: found, pages } = await walk(`eventId=${wanted}`);
  expect(found).toEqual([target]);
  expect(pages).toBeGreaterThan(1);
}, 120_000);

test('causes: grouped by reason and the error without its ids, numbers and quoted values; counts follow letters as they come and go', async () => {
  const ids = await seedManyDeadLetters(redis, streams, 30, (i) => (i < 20 ? noRecord() : i < 27 ? refused(i) : invalid(i)));
  const { body } = await admin('get', '/admin/dlq/groups').expect(200);
  expect(
    body.items.map((group: { count: number; reason: string; fingerprint: string }) => [group.count, group.reason, group.fingerprint]),
  ).toEqual([
    [20, 'max-deliveries', 'no inventory record for <id> (version <n>)'],
    [7, 'max-deliveries', "sku '…' is refused"],
    [3, 'invalid', 'data: Unexpected token at position <n>'],
  ]);
  const [largest] = body.items;
  expect(largest).toMatchObject({ types: { 'product.updated': 20 }, example: { id: ids[0] } });
  expect(Date.parse(largest.firstSeen)).toBeLessThanOrEqual(Date.parse(largest.lastSeen));

  await admin('post', `/admin/dlq/${ids[0]}/replay`).expect(200);
  await admin('delete', `/admin/dlq/${ids[1]}`).expect(204);
  for (const id of ids.slice(27)) await admin('delete', `/admin/dlq/${id}`).expect(204);
  const after = (await admin('get', '/admin/dlq/groups').expect(200)).body.items;
  expect(after.map((group: { count: number }) => group.count)).toEqual([18, 7]);
  expect(after[0].example.id).toBe(ids[2]);
  expect(await api.admin?.deadLetters.stats()).toMatchObject({
    total: 25,
    byReason: { 'max-deliveries': 25 },
    byType: { 'product.updated': 18, 'product.created': 7 },
  });
  const minutes = (await api.admin?.deadLetters.perMinute()) ?? [];
  expect(minutes).toHaveLength(60);
  expect(minutes.reduce((sum, { count }) => sum + count, 0)).toBe(30);
  await admin('get', '/admin/dlq/groups/000000000000').expect(404);
});

test('letters written before the index existed are counted and grouped on first look', async () => {
  for (let i = 0; i < 5; i++) {
    await redis.xAdd(streams.deadLetterStream, '*', {
      originalId: `1-${i}`,
      reason: 'max-deliveries',
      error: `database said no to ${randomUUID()}`,
      fields: '{}',
    });
  }
  const { body } = await admin('get', '/admin/dlq/groups').expect(200);
  expect(body.items).toEqual([expect.objectContaining({ count: 5, fingerprint: 'database said no to <id>' })]);
  await admin('delete', `/admin/dlq/${body.items[0].example.id}`).expect(204);
  expect((await admin('get', '/admin/dlq/groups').expect(200)).body.items[0].count).toBe(4);
});

test('a group replay is a job: 202 with its place, progress page by page, a second job on the cause refused, every letter replayed once', async () => {
  const ids = await seedManyDeadLetters(redis, streams, 1_000, (i) => (i % 10 === 0 ? refused(i) : noRecord()));
  const groups = (await admin('get', '/admin/dlq/groups').expect(200)).body.items;
  const cause = groups[0].id as string;
  // A job of another process runs on the cause: refused, naming it.
  const other = await api.db.deadLetterJob.create({ data: { kind: 'purge', cause, actor: 'other', total: 1, upTo: '1-0' } });
  const refusedJob = await admin('post', `/admin/dlq/groups/${cause}/replay`).expect(409);
  expect(refusedJob.body).toMatchObject({ type: expect.stringContaining('job-running'), runningJobId: other.id });
  await api.db.deadLetterJob.update({ where: { id: other.id }, data: { status: 'done' } });

  const started = await admin('post', `/admin/dlq/groups/${cause}/replay`).expect(202);
  expect(started.headers.location).toBe(`/admin/jobs/${started.body.id}`);
  expect(started.body).toMatchObject({ kind: 'replay', cause, status: 'running', total: 900, actor: 'admin' });
  const progress = new Set<number>();
  const done = await waitFor('the job to finish', async () => {
    const job = (await admin('get', started.headers.location!).expect(200)).body;
    progress.add(job.processed);
    return job.status === 'done' ? job : undefined;
  });
  expect(done).toMatchObject({ processed: 900, succeeded: 900, skipped: 0 });
  expect([...progress].every((processed) => processed % 100 === 0 || processed === 900)).toBe(true);
  expect((await admin('get', '/admin/dlq/groups').expect(200)).body.items.map((group: { count: number }) => group.count)).toEqual([100]);
  const replayed = (await redis.xRange(streams.stream, '-', '+')) ?? [];
  expect(new Set(replayed.map((entry) => entry.message.id)).size).toBe(900);
  expect(replayed).toHaveLength(900);
  await admin('post', `/admin/dlq/groups/${cause}/replay`).expect(404);
  await admin('get', `/admin/jobs/${randomUUID()}`).expect(404);
  const audit = (await admin('get', '/admin/audit?limit=2').expect(200)).body;
  expect(
    audit.items.map((entry: { action: string; outcome: string; count: number }) => [entry.action, entry.outcome, entry.count]),
  ).toEqual([
    ['dead-letter.group-replay', 'ok', 900],
    ['dead-letter.group-replay', 'started', 900],
  ]);
  expect(ids).toHaveLength(1_000);
});

test('a job whose process stops is taken over where it stopped: every letter purged once, none twice', async () => {
  await seedManyDeadLetters(redis, streams, 1_000, () => noRecord());
  const cause = (await admin('get', '/admin/dlq/groups').expect(200)).body.items[0].id as string;
  const first = api.admin!;
  const job = await first.jobs.start('purge', cause, 'admin');
  await waitFor('the first page done', async () => ((await first.jobs.get(job.id))?.processed ?? 0) >= 100);
  await first.jobs.stop();
  const stopped = await first.jobs.get(job.id);
  expect(stopped?.status).toBe('running');
  expect(stopped?.processed).toBeLessThan(1_000);

  // Another process (or this one, restarted) finds it and goes on.
  const logger = createLogger('inventory-api-test', TEST_LOG_LEVEL);
  const next = new CauseJobs(api.db, first.deadLetters, new AdminAudit(api.db, logger), logger, { pageSize: 100, staleMs: 1_000 });
  expect(await next.resumeAbandoned()).toBe(1);
  await next.idle();
  expect(await next.get(job.id)).toMatchObject({ status: 'done', processed: 1_000, succeeded: 1_000, skipped: 0 });
  expect(await redis.xLen(streams.deadLetterStream)).toBe(0);
  expect((await admin('get', '/admin/dlq/groups').expect(200)).body.items).toEqual([]);
});

test('the audit pages newest first by cursor and never holds a key', async () => {
  const [id] = await seedManyDeadLetters(redis, streams, 1, () => noRecord());
  await admin('delete', `/admin/dlq/${id}`).expect(204);
  await admin('post', '/admin/consumption/pause').send({ reason: 'deploy' }).expect(200);
  await admin('post', '/admin/consumption/resume').expect(200);
  const first = (await admin('get', '/admin/audit?limit=2').expect(200)).body;
  expect(first.items.map((entry: { action: string }) => entry.action)).toEqual(['consumption.resume', 'consumption.pause']);
  const second = (await admin('get', `/admin/audit?limit=2&cursor=${first.nextCursor}`).expect(200)).body;
  expect(second.items[0]).toMatchObject({ action: 'dead-letter.purge', target: id, count: 1, outcome: 'ok', actor: 'admin' });
  expect(JSON.stringify([first, second])).not.toContain(API_KEY);
  await admin('get', '/admin/audit?cursor=abc').expect(400);
});
