// The relay on its own: publishing after each commit, several relays at once, retention.
import { randomUUID } from 'node:crypto';
import { createLogger, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { ProductRepository } from '../src/data/product-repository';
import { OutboxRelay } from '../src/relay/outbox-relay';
import { TEST_REDIS_URL, startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  // A sweep far off: only the kick after each commit can publish within the test.
  api = await startProductApi({ sweepIntervalMs: 600_000 });
});
afterAll(() => api.close());

interface StreamEvent {
  id: string;
  data: { productId: string; productVersion: number };
}

async function streamEvents(redis: RedisClient, stream: string): Promise<StreamEvent[]> {
  const entries = (await redis.xRange(stream, '-', '+')) ?? [];
  return entries.flatMap((entry) =>
    entry ? [{ id: String(entry.message.id), data: JSON.parse(entry.message.data ?? '{}') as StreamEvent['data'] }] : [],
  );
}

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('publishes right after the commit, without waiting for the sweep', async () => {
  const res = await api.http.post('/api/products').send(validProduct()).expect(201);
  await until(async () => (await streamEvents(api.redis, api.stream)).some((event) => event.data.productId === res.body.id), 'the event');
  // The row is marked published in the relay's transaction, which commits just after the XADD.
  await until(async () => (await api.relay.backlog()) === 0, 'the row marked published');
});

test('three relays at once publish every event exactly once, each product in commit order', async () => {
  const logger = createLogger('relay-test');
  const stream = `test-${randomUUID()}`;
  const clients = await Promise.all(
    [1, 2, 3].map(async (i) => {
      const redis = createRedisClient({ url: TEST_REDIS_URL, logger, name: `relay-${i}`, failFast: true });
      await redis.connect();
      return redis;
    }),
  );
  const relays = clients.map(
    (redis) =>
      new OutboxRelay(
        api.db,
        api.sql,
        redis,
        { stream, maxLen: 1_000_000, batchSize: 7, sweepIntervalMs: 600_000, retentionMs: 600_000, brokerCheckIntervalMs: 600_000 },
        logger,
      ),
  );
  await api.relay.stop(); // the harness's own relay stays out of this stream
  try {
    const repository = new ProductRepository(api.db, api.sql);
    const products = await Promise.all(Array.from({ length: 10 }, () => repository.create(validProduct(), 'order-test')));
    // Updates of each product in sequence, products in parallel, while the relays race to publish.
    await Promise.all(
      products.map(async (product) => {
        for (let version = 1; version <= 5; version++) {
          await repository.replace(product.id, validProduct({ sku: product.sku, name: `v${version + 1}` }), undefined, 'order-test');
          relays[version % 3]?.kick();
        }
      }),
    );
    relays.forEach((relay) => relay.kick());
    await until(async () => (await api.relay.backlog()) === 0, 'the outbox to drain');
    const events = await streamEvents(clients[0]!, stream);
    expect(events).toHaveLength(60);
    expect(new Set(events.map((event) => event.id)).size).toBe(60);
    for (const product of products) {
      const versions = events.filter((event) => event.data.productId === product.id).map((event) => event.data.productVersion);
      expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
    }
  } finally {
    await Promise.all(relays.map((relay) => relay.stop()));
    await clients[0]!.del(stream);
    await Promise.all(clients.map((redis) => redis.close()));
  }
});

test('published rows are deleted after the retention; unpublished ones never are', async () => {
  const logger = createLogger('relay-test');
  await api.db.outboxEvent.deleteMany();
  await api.http.post('/api/products').send(validProduct()).expect(201);
  await api.db.outboxEvent.updateMany({ data: { publishedAt: new Date(Date.now() - 10_000) } });
  await api.db.outboxEvent.create({
    data: {
      eventId: randomUUID(),
      productId: randomUUID(),
      type: 'product.created',
      envelope: {},
      createdAt: new Date(Date.now() - 60_000),
    },
  });
  const sweeper = new OutboxRelay(
    api.db,
    api.sql,
    api.redis,
    { stream: `test-${randomUUID()}`, maxLen: 1000, batchSize: 1, sweepIntervalMs: 50, retentionMs: 5_000, brokerCheckIntervalMs: 600_000 },
    logger,
  );
  // Stands in for Redis being away, so that the unpublished row stays unpublished.
  jest.spyOn(api.redis, 'multi').mockImplementation(() => {
    throw new Error('redis away');
  });
  try {
    sweeper.start();
    await until(async () => (await api.db.outboxEvent.count({ where: { publishedAt: { not: null } } })) === 0, 'the published row to go');
    expect(await api.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(1);
  } finally {
    await sweeper.stop();
    await api.db.outboxEvent.deleteMany();
  }
});
