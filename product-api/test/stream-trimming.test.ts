// The stream is trimmed below what every consumer group is done with, never past an entry some group has
// not acknowledged; only its hard cap drops unread entries, and then it says so.
import { randomUUID } from 'node:crypto';
import { createLogger, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { trimSafely } from '../src/relay/stream-trimmer';
import { TEST_REDIS_URL } from './support/product-api';

let redis: RedisClient;
const streams: string[] = [];
const logger = createLogger('trim-test', 'silent');

beforeAll(async () => {
  redis = createRedisClient({ url: TEST_REDIS_URL, logger, name: 'trim-test', failFast: true });
  await redis.connect();
});
afterAll(async () => {
  await redis.del(streams);
  await redis.close();
});

async function streamOf(entries: number): Promise<{ stream: string; ids: string[] }> {
  const stream = `test-trim-${randomUUID()}`;
  streams.push(stream);
  const pipeline = redis.multi();
  for (let i = 0; i < entries; i++) pipeline.xAdd(stream, '*', { i: String(i) });
  return { stream, ids: (await pipeline.execAsPipeline()).map(String) };
}

/** A group that has read `read` entries and acknowledged the first `acked` of them. */
async function groupAt(stream: string, ids: string[], name: string, read: number, acked: number): Promise<void> {
  await redis.xGroupCreate(stream, name, '0');
  if (read > 0) await redis.xReadGroup(name, 'c', { key: stream, id: '>' }, { COUNT: read });
  if (acked > 0) await redis.xAck(stream, name, ids.slice(0, acked));
}

test('entries every group acknowledged go; from the oldest pending one on, everything stays', async () => {
  const { stream, ids } = await streamOf(1_000);
  await groupAt(stream, ids, 'fast', 1_000, 1_000);
  await groupAt(stream, ids, 'lagging', 800, 700); // 100 pending, 200 never read
  const result = await trimSafely(redis, stream, 1_000_000, logger);
  expect(result).toEqual({ floor: ids[700], droppedUnread: 0 });
  const left = ((await redis.xRange(stream, '-', '+')) ?? []).map((entry) => entry.id);
  expect(left.length).toBeLessThan(1_000); // whole nodes of acknowledged entries went
  expect(left).toEqual(expect.arrayContaining(ids.slice(700)));
});

test('with a group that read nothing, nothing is trimmed below the hard cap', async () => {
  const { stream, ids } = await streamOf(300);
  await groupAt(stream, ids, 'idle', 0, 0);
  expect(await trimSafely(redis, stream, 1_000, logger)).toEqual({ floor: '0-1', droppedUnread: 0 });
  expect(await redis.xLen(stream)).toBe(300);
});

test('over the hard cap, the oldest unread entries are dropped and counted', async () => {
  const { stream, ids } = await streamOf(1_500);
  await groupAt(stream, ids, 'idle', 0, 0);
  expect(await trimSafely(redis, stream, 1_000, logger)).toMatchObject({ droppedUnread: 500 });
  expect(await redis.xLen(stream)).toBe(1_000);
  const [first] = (await redis.xRange(stream, '-', '+', { COUNT: 1 })) ?? [];
  expect(first?.id).toBe(ids[500]);
});
