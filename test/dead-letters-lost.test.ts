// The dead-letter stream lives only in Redis. When Redis comes back empty, the relay (which recorded its
// length at each broker check) says how many dead letters were lost, once, and points at reconcile.
import { startProductApi, validProduct } from '../product-api/test/support/product-api';
import type { ProductApiHarness } from '../product-api/test/support/product-api';
import { captureLogLines, waitForLine } from '../platform/test/support/log-lines';
import type { LogLine } from '../platform/test/support/log-lines';
import { PrivateRedis } from '../platform/test/support/redis-server';
import { waitFor } from '../platform/test/support/wait';

let redis: PrivateRedis;
let api: ProductApiHarness;
let lines: LogLine[];

beforeAll(async () => {
  redis = await PrivateRedis.start();
  api = await startProductApi({ redisUrl: redis.url, brokerCheckIntervalMs: 200 });
  lines = captureLogLines(api.logger);
});
afterAll(async () => {
  await api.close();
  await redis.down();
});

const lostMetric = async () => {
  const line = (await api.http.get('/metrics').expect(200)).text.split('\n').find((text) => text.startsWith('dead_letters_lost_total'));
  return Number(line?.split(' ').at(-1));
};
const seen = async () => (await api.db.relayState.findUnique({ where: { stream: api.stream } }))?.deadLettersSeen;

test('Redis restarted empty with 3 dead letters: the relay counts them lost, logs it once and counts dead_letters_lost_total', async () => {
  await api.http.post('/api/products').send(validProduct()).expect(201);
  for (let i = 0; i < 3; i++) await api.redis.xAdd(`${api.stream}.dlq`, '*', { originalId: `1-${i}`, reason: 'invalid', fields: '{}' });
  await waitFor('the relay to record the dead-letter stream', async () => (await seen()) === 3n);

  await redis.down();
  await redis.up(); // empty: no AOF, no RDB
  await waitFor('the loss counted', async () => (await lostMetric()) === 3, 15_000);
  await waitForLine(lines, /broker reset lost dead letters/);

  const lost = lines.filter((line) => /lost dead letters/.test(line.message));
  expect(lost).toEqual([
    expect.objectContaining({
      level: 'error',
      deadLettersLost: 3,
      deadLetterStream: `${api.stream}.dlq`,
      message: expect.stringContaining('npm run reconcile -- --repair'),
    }),
  ]);
  expect(await seen()).toBe(0n);
  expect(await lostMetric()).toBe(3);
});
