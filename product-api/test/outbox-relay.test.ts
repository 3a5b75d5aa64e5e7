// The relay on its own: publishing after each commit, several relays at once, retention.
import { randomUUID } from 'node:crypto';
import { createLogger, createRedisClient } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { createPool } from '@stockstream/prisma';
import type { SqlClient as PoolClient } from '@stockstream/prisma';
import { ProductRepository } from '../src/data/product-repository';
import { productEvent } from '../src/domain/product-events';
import type { RelayObserver } from '../src/relay/outbox-metrics';
import { OutboxRelay } from '../src/relay/outbox-relay';
import { waitFor } from '../../platform/test/support/wait';
import { TEST_REDIS_URL, startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';
import { TEST_LOG_LEVEL } from '../../platform/test/support/log-level';

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

test('publishes right after the commit, without waiting for the sweep', async () => {
  const res = await api.http.post('/api/products').send(validProduct()).expect(201);
  await waitFor('the event', async () => (await streamEvents(api.redis, api.stream)).some((event) => event.data.productId === res.body.id));
  // The stream's mark moves past the row in the relay's transaction, which commits just after the XADD.
  await waitFor('the mark past the row', async () => (await api.relay.backlog()) === 0);
});

test('publishes with a pool of one connection (DB_POOL_SIZE=1), its first pass included', async () => {
  const single = await startProductApi({ sweepIntervalMs: 600_000, poolSize: 1 });
  try {
    const res = await single.http.post('/api/products').send(validProduct()).expect(201);
    await waitFor('the event', async () =>
      (await streamEvents(single.redis, single.stream)).some((event) => event.data.productId === res.body.id),
    );
  } finally {
    await single.close();
  }
});

test('an event committed after a later one is still published, once the older transaction ends', async () => {
  // The older transaction writes its event first (the lower position) and commits last: a mark on
  // positions alone would pass it by. Nothing kicks the relay when it commits: the relay looks again.
  const older = await api.sql.connect();
  const event = productEvent('product.created', { id: randomUUID(), sku: 'OLDER-1', name: 'older', price: '1.00', version: 1 }, undefined);
  const productId = event.data.productId;
  try {
    await older.query('BEGIN');
    await older.query('INSERT INTO outbox (event_id, product_id, type, envelope) VALUES ($1, $2, $3, $4)', [
      event.id,
      productId,
      event.type,
      JSON.stringify(event),
    ]);
    const later = await api.http.post('/api/products').send(validProduct()).expect(201);
    // Observed, not slept: a pass the later commit kicked has found its row held back by the older one.
    await waitFor('the relay to find the later row held back', () => api.relay.waitingOnOlderTransaction);
    await older.query('COMMIT');
    await waitFor('both events on the stream', async () => {
      const published = new Set((await streamEvents(api.redis, api.stream)).map((event) => event.data.productId));
      return published.has(productId) && published.has(later.body.id);
    });
    await waitFor('the mark past both rows', async () => (await api.relay.backlog()) === 0);
  } finally {
    older.release();
  }
});

test("a backlog of several batches goes out in order, a full pass's mark travelling with the next claim", async () => {
  const logger = createLogger('relay-test', TEST_LOG_LEVEL);
  const stream = `test-${randomUUID()}`;
  await api.relay.stop(); // the harness's own relay leaves the outbox to this one
  const repository = new ProductRepository(api.db, api.sql);
  const products = [];
  for (let i = 0; i < 25; i++) products.push(await repository.create(validProduct(), 'backlog-test'));
  const relay = new OutboxRelay(
    api.db,
    api.sql,
    api.redis,
    {
      stream,
      maxLen: 1_000_000,
      batchSize: 10,
      lingerMs: 5,
      sweepIntervalMs: 600_000,
      retentionMs: 600_000,
      brokerCheckIntervalMs: 600_000,
    },
    logger,
  );
  // The relay's state first (its own statements, through Prisma); then what the relay sends is counted.
  await relay.broker.relayState();
  const queries: string[] = [];
  const clients = new Set<PoolClient>();
  const connect = api.sql.connect.bind(api.sql) as (...args: unknown[]) => unknown;
  // The relay takes a client of its own (connect()); pool.query's connect(callback) is left alone.
  const spy = jest.spyOn(api.sql, 'connect').mockImplementation(((...args: unknown[]) => {
    if (args.length > 0) return connect(...args);
    return (connect() as Promise<PoolClient>).then((client) => {
      if (clients.has(client)) return client;
      clients.add(client);
      const query = client.query.bind(client) as (...queryArgs: unknown[]) => unknown;
      jest.spyOn(client, 'query').mockImplementation(((...queryArgs: unknown[]) => {
        if (typeof queryArgs[0] === 'string' && queryArgs.length === 1) queries.push(queryArgs[0]);
        return query(...queryArgs);
      }) as unknown as typeof client.query);
      return client;
    });
  }) as unknown as typeof api.sql.connect);
  try {
    relay.kick();
    await waitFor('the backlog to drain', async () => (await relay.backlog()) === 0);
    const ids = new Set(products.map((product) => product.id));
    const published = (await streamEvents(api.redis, stream)).filter((event) => ids.has(event.data.productId));
    expect(published.map((event) => event.data.productId)).toEqual(products.map((product) => product.id));
    // A pass that came back full is followed by another at once: its mark and COMMIT go in front of that
    // pass's claim, one query. (A pass can come back short before the backlog's end: a transaction still
    // running elsewhere in the cluster holds rows back; its mark then goes alone, and so a count of all
    // queries would depend on what else the server runs.)
    const marks = queries.filter((text) => text.includes('UPDATE relay_state'));
    const fullBatchMarks = marks.filter((text) => text.includes('published = published + 10,'));
    expect(fullBatchMarks.length).toBeGreaterThan(0);
    for (const text of fullBatchMarks) expect(text).toContain('pg_try_advisory_xact_lock');
  } finally {
    await relay.stop();
    spy.mockRestore();
    for (const client of clients) jest.mocked(client.query).mockRestore();
    await api.redis.del(stream);
  }
});

test('while requests wait for a connection, the next pass waits (lingerMs); while the pool keeps up, it goes at once', async () => {
  const logger = createLogger('relay-test', TEST_LOG_LEVEL);
  const stream = `test-${randomUUID()}`;
  await api.relay.stop(); // the harness's own relay leaves the outbox to these
  const repository = new ProductRepository(api.db, api.sql);
  const options = {
    stream,
    maxLen: 1_000_000,
    batchSize: 100,
    sweepIntervalMs: 600_000,
    retentionMs: 600_000,
    brokerCheckIntervalMs: 600_000,
  };
  const passes: number[] = [];
  const observer: RelayObserver = {
    published: (ages) => passes.push(ages.length),
    droppedUnread: () => undefined,
    brokerReset: () => undefined,
    deadLettersLost: () => undefined,
  };
  // A claim takes rows below the oldest transaction running anywhere in the cluster (ADR 9), and another
  // test's may be running (a CREATE DATABASE lasts a while): the counts below wait until none is older.
  const allClaimable = async () =>
    (await api.sql.query<{ yes: boolean }>('SELECT (SELECT max(txid) FROM outbox) < pg_snapshot_xmin(pg_current_snapshot()) AS yes'))
      .rows[0]?.yes === true;
  for (let i = 0; i < 10; i++) await repository.create(validProduct(), 'linger-test');
  await waitFor('no older transaction', allClaimable);

  // A pool of two: one connection held here, the relay takes the other, and a query waits for either.
  const pool = createPool(api.databaseUrl, { poolSize: 2 });
  const held = await pool.connect();
  const lingering = new OutboxRelay(api.db, pool, api.redis, { ...options, lingerMs: 3_000 }, logger, observer);
  await lingering.broker.relayState();
  try {
    // Kicked again while its first pass runs (a new stream starts at the outbox's first row: ten rows or
    // more), as creates do under load.
    lingering.kick();
    lingering.kick();
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = pool.query('SELECT 1');
    expect(pool.waitingCount).toBe(1);
    // Served by the relay's connection, given back for the wait, before the relay's next pass.
    await waiting;
    expect(passes).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await repository.create(validProduct(), 'linger-test');
      lingering.kick();
    }
    await waitFor('no older transaction', allClaimable);
    await waitFor('the three to be published', async () => (await lingering.backlog()) === 0);
    expect(passes[0]).toBeGreaterThanOrEqual(10);
    expect(passes.slice(1)).toEqual([3]);
  } finally {
    held.release();
    await lingering.stop();
    await pool.end();
  }

  // Nothing waits for a connection: after a pass kicked again, the next goes at once, not after a minute.
  const prompt = new OutboxRelay(api.db, api.sql, api.redis, { ...options, lingerMs: 60_000 }, logger, observer);
  passes.length = 0;
  for (let i = 0; i < 2; i++) {
    await repository.create(validProduct(), 'linger-test');
    prompt.kick();
    prompt.kick();
    await waitFor('the product to be published', async () => (await prompt.backlog()) === 0);
  }
  await prompt.stop();
  expect(passes).toEqual([1, 1]);
  await api.redis.del(stream);
});

test('three relays at once publish every event exactly once, each product in commit order', async () => {
  const logger = createLogger('relay-test', TEST_LOG_LEVEL);
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
        {
          stream,
          maxLen: 1_000_000,
          batchSize: 7,
          lingerMs: 5,
          sweepIntervalMs: 600_000,
          retentionMs: 600_000,
          brokerCheckIntervalMs: 600_000,
        },
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
    await waitFor('the outbox to drain', async () => (await relays[0]!.backlog()) === 0);
    // A stream of its own starts at the outbox's first row: the earlier test's event is on it too.
    const ids = new Set(products.map((product) => product.id));
    const events = (await streamEvents(clients[0]!, stream)).filter((event) => ids.has(event.data.productId));
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
  const logger = createLogger('relay-test', TEST_LOG_LEVEL);
  const options = {
    stream: `test-${randomUUID()}`,
    maxLen: 1000,
    batchSize: 100,
    lingerMs: 5,
    retentionMs: 5_000,
    brokerCheckIntervalMs: 600_000,
  };
  await api.db.outboxEvent.deleteMany();
  const published = await new ProductRepository(api.db, api.sql).create(validProduct(), 'retention-test');
  const publisher = new OutboxRelay(api.db, api.sql, api.redis, { ...options, sweepIntervalMs: 600_000 }, logger);
  publisher.start();
  await waitFor('the mark past the row', async () => (await publisher.backlog()) === 0);
  await publisher.stop();
  await api.db.outboxEvent.updateMany({ data: { createdAt: new Date(Date.now() - 60_000) } });
  const unpublished = randomUUID();
  await api.db.outboxEvent.create({
    data: {
      eventId: unpublished,
      productId: randomUUID(),
      type: 'product.created',
      envelope: {},
      createdAt: new Date(Date.now() - 60_000),
    },
  });
  const sweeper = new OutboxRelay(api.db, api.sql, api.redis, { ...options, sweepIntervalMs: 50 }, logger);
  // Stands in for Redis being away, so that the unpublished row stays unpublished.
  jest.spyOn(api.redis, 'multi').mockImplementation(() => {
    throw new Error('redis away');
  });
  try {
    sweeper.start();
    await waitFor('the published row to go', async () => (await api.db.outboxEvent.count({ where: { productId: published.id } })) === 0);
    expect(await api.db.outboxEvent.findMany({ select: { eventId: true } })).toEqual([{ eventId: unpublished }]);
    expect(await sweeper.backlog()).toBe(1);
  } finally {
    jest.restoreAllMocks();
    await sweeper.stop();
    await api.db.outboxEvent.deleteMany();
    await api.redis.del(options.stream);
  }
});
