// Scenario 6: an operator's dead-letter stream at scale. 110,000 letters of three causes (100,000 of one),
// written as the worker writes them; then the time of a page (GET /admin/dlq, the groups, the HTML page) against a walk of
// the whole stream, which is what every page load cost before counts and causes were kept beside it; then
// a group job over the largest cause: letters per second, and inventory-api's peak memory while it runs.
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import { deadLetter } from '@stockstream/inventory-core';
import type { RedisClient } from '@stockstream/platform';
import { createDatabases, freePort, rssMiB, startService, waitUntil } from '../infra';
import { percentile, round } from '../stats';
import type { Context } from './context';
import { ratio } from './context';

const KEY = `bench-admin-key-${randomUUID()}`;
const ROUNDS = 20;

async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The median of ROUNDS timed runs, after one to warm up. */
async function medianMs(action: () => Promise<unknown>): Promise<number | null> {
  await action();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await timeMs(action));
  return round(percentile(times, 50));
}

/**
 * Three causes: `count` letters of one (the group job's), and a twentieth of that of each of two more.
 * Returns the id of the letter in the middle of the stream.
 */
async function seed(redis: RedisClient, stream: string, deadLetterStream: string, count: number): Promise<string> {
  const target = { stream, group: 'inventory', deadLetterStream, consumer: 'bench' };
  await redis.xGroupCreate(stream, 'inventory', '$', { MKSTREAM: true });
  const errors = [
    (i: number) => `no inventory record for ${randomUUID()} (version ${i})`,
    (i: number) => `sku 'POISON-${i}' is refused`,
    (i: number) => `data: Unexpected token at position ${i}`,
  ];
  const total = count + 2 * Math.floor(count / 20);
  let middle = '';
  for (let start = 0; start < total; start += 1000) {
    const ids = await Promise.all(
      Array.from({ length: Math.min(1000, total - start) }, (_, offset) => {
        const i = start + offset;
        const cause = i < count ? 0 : (i - count) % 2 === 0 ? 1 : 2;
        const event = { id: randomUUID(), type: 'product.updated', data: JSON.stringify({ productId: randomUUID() }) };
        return deadLetter(
          redis,
          target,
          { id: `1-${i}`, fields: event },
          { reason: 'max-deliveries', error: errors[cause]!(i), deliveries: 5 },
        );
      }),
    );
    if (start <= total / 2 && total / 2 < start + 1000) middle = ids[Math.floor(total / 2) - start] ?? '';
  }
  return middle;
}

export async function deadLetterScenario(context: Context): Promise<void> {
  const letters = context.sizes.deadLetters;
  const databases = await createDatabases();
  const stream = `bench.dlq.${randomUUID()}`;
  const deadLetterStream = `${stream}.dlq`;
  const redis: RedisClient = createClient({ url: context.redis.url, RESP: 2 });
  await redis.connect();
  const port = await freePort();
  try {
    context.log(`dead letters: seeding ${letters}`);
    const middle = await seed(redis, stream, deadLetterStream, letters);
    const total = await redis.xLen(deadLetterStream);
    const api = await startService(
      'inventory-api',
      'inventory-api/dist/main.js',
      {
        INVENTORY_API_PORT: String(port),
        INVENTORY_DATABASE_URL: databases.inventoryUrl,
        REDIS_URL: context.redis.url,
        PRODUCT_STREAM: stream,
        DEAD_LETTER_STREAM: deadLetterStream,
        ADMIN_API_KEYS: `bench:${KEY}`,
      },
      port,
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      const get = async (path: string, headers: Record<string, string> = { 'X-API-Key': KEY }) => {
        const res = await fetch(`${base}${path}`, { headers });
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
        return res.text();
      };
      const signIn = await fetch(`${base}/admin/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `apiKey=${encodeURIComponent(KEY)}`,
        redirect: 'manual',
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      // What a page cost before: every letter read, to count and filter.
      const walk = await medianMs(async () => {
        let start = '-';
        for (;;) {
          const page = (await redis.xRange(deadLetterStream, start, '+', { COUNT: 500 })) ?? [];
          const last = page.at(-1);
          if (page.length < 500 || !last) return;
          start = `(${last.id}`;
        }
      });
      const baseline = { name: `a walk of the ${total.toLocaleString('en')} letters`, value: walk };
      const rows: [string, string][] = [
        ['GET /admin/dlq?limit=100 (newest)', '/admin/dlq?limit=100'],
        ['GET /admin/dlq?limit=100&cursor=<the middle letter> (a page deep in)', `/admin/dlq?limit=100&cursor=${middle}`],
        ['GET /admin/dlq?limit=100&q=POISON-1 (a filter: at most 5,000 entries read)', '/admin/dlq?limit=100&q=POISON-1'],
        ['GET /admin/dlq/groups', '/admin/dlq/groups'],
      ];
      for (const [figure, path] of rows) {
        const value = await medianMs(() => get(path));
        context.rows.push({
          scenario: '6 dead letters',
          figure: `${figure}: median time`,
          value,
          unit: 'ms',
          baseline,
          ratio: ratio(value, walk),
        });
      }
      const pageMs = await medianMs(() => get('/admin', { cookie }));
      context.rows.push({
        scenario: '6 dead letters',
        figure: `the dead-letter page (/admin, signed in) at ${total.toLocaleString('en')} letters: median time`,
        value: pageMs,
        unit: 'ms',
        baseline,
        ratio: ratio(pageMs, walk),
        target: '≤ 0.50',
        met: pageMs === null || walk === null ? null : pageMs <= walk * 0.5,
      });

      const groups = JSON.parse(await get('/admin/dlq/groups')) as { items: { id: string; count: number }[] };
      const largest = groups.items[0]!;
      const before = rssMiB(api.child.pid);
      let peak = before ?? 0;
      const started = Date.now();
      const job = (await (
        await fetch(`${base}/admin/dlq/groups/${largest.id}/replay`, { method: 'POST', headers: { 'X-API-Key': KEY } })
      ).json()) as { id: string };
      let processed = 0;
      await waitUntil(
        'the group job',
        async () => {
          peak = Math.max(peak, rssMiB(api.child.pid) ?? 0);
          const state = JSON.parse(await get(`/admin/jobs/${job.id}`)) as { status: string; processed: number };
          processed = state.processed;
          return state.status !== 'running';
        },
        600_000,
        100,
      );
      const seconds = (Date.now() - started) / 1000;
      context.rows.push(
        {
          scenario: '6 dead letters',
          figure: `group replay job, ${largest.count.toLocaleString('en')} letters: letters/s`,
          value: round(processed / seconds),
          unit: '',
        },
        {
          scenario: '6 dead letters',
          figure: 'inventory-api RSS before the job / peak during it',
          value: round(peak, 0),
          unit: `MiB (before: ${before ?? '?'} MiB)`,
        },
      );
    } finally {
      await api.stop();
    }
  } finally {
    await redis.del([stream]);
    const keys = await redis.keys(`${deadLetterStream}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(keys.slice(i, i + 500));
    await redis.close();
    await databases.drop();
  }
}
