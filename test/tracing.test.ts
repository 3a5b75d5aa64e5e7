// OpenTelemetry across the hop, with the real processes (product-api and a worker, built) exporting to an
// OTLP/HTTP receiver of this test: one POST carrying a traceparent is one trace, from the request through
// its queries and the outbox's publish to the worker's apply, and the worker's log line carries its id.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createClient } from '@redis/client';
import type { RedisClient } from '@stockstream/platform';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { TEST_REDIS_URL } from '../platform/test/support/redis-client';
import { waitFor } from '../platform/test/support/wait';
import { OtlpReceiver } from './support/otlp-receiver';
import { startService } from './support/service-process';
import type { ServiceProcess as Service } from './support/service-process';
import type { ReceivedSpan } from './support/otlp-receiver';

const ROOT = path.join(__dirname, '..');
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

const traceparentOf = (traceId: string) => `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
const newTraceId = () => randomBytes(16).toString('hex');

let receiver: OtlpReceiver;
let redis: RedisClient;
let products: TestDatabase;
let inventory: TestDatabase;
const stream = `test-tracing-${randomUUID()}`;
const started: Service[] = [];

const tracingEnv = (extra: Record<string, string> = {}) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '50',
  REDIS_URL: TEST_REDIS_URL,
  PRODUCT_STREAM: stream,
  DEAD_LETTER_STREAM: `${stream}.dlq`,
  ...extra,
});

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  redis = createClient({ url: TEST_REDIS_URL, RESP: 2 });
  await redis.connect();
  products = await createTestDatabase('product');
  inventory = await createTestDatabase('inventory');
});
afterAll(async () => {
  await Promise.all(started.map((service) => service.stop()));
  await redis.del([stream, `${stream}.dlq`]);
  await redis.close();
  await products.drop();
  await inventory.drop();
  await receiver.stop();
});

describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let api: Service;
  let worker: Service;
  beforeAll(async () => {
    api = await startService('product-api/dist/main.js', 'PRODUCT_API_PORT', tracingEnv({ PRODUCT_DATABASE_URL: products.url }));
    worker = await startService('inventory-worker/dist/main.js', 'WORKER_PORT', tracingEnv({ INVENTORY_DATABASE_URL: inventory.url }));
    started.push(api, worker);
  });

  test('one POST with a traceparent is one trace: the server span, its queries, the publish linked to it, the worker applying it', async () => {
    const traceId = newTraceId();
    const res = await fetch(`http://127.0.0.1:${api.port}/api/products`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', traceparent: traceparentOf(traceId) },
      body: JSON.stringify({ sku: 'TRACED-1', name: 'Traced', price: '1.00' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };

    const applied = await waitFor('the worker span in the trace', () =>
      receiver.inTrace(traceId).find((span) => span.service === 'inventory-worker' && span.kind === CONSUMER),
    );
    const spans = receiver.inTrace(traceId);
    const server = spans.find((span) => span.service === 'product-api' && span.kind === SERVER);
    expect(server).toMatchObject({
      name: 'POST /api/products',
      attributes: { 'http.route': '/api/products', 'http.response.status_code': 201 },
    });
    const queries = spans.filter((span) => span.service === 'product-api' && span.attributes['db.system.name'] === 'postgresql');
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((query) => query.parentSpanId === server?.spanId)).toBe(true);

    const publish = await waitFor('the publish span', () =>
      receiver.spans.find((span) => span.kind === PRODUCER && span.links.some((link) => link.traceId === traceId)),
    );
    expect(publish).toMatchObject({
      service: 'product-api',
      name: `send ${stream}`,
      attributes: { 'messaging.system': 'redis', 'messaging.destination.name': stream, 'messaging.operation.type': 'send' },
    });

    expect(applied.parentSpanId).toBe(server?.spanId);
    expect(applied.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.destination.name': stream,
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'inventory',
      'stockstream.product.id': id,
      'stockstream.outcome': 'processed',
    });
    const [entry] = (await redis.xRange(stream, '-', '+')) ?? [];
    expect(entry?.message.traceparent).toMatch(new RegExp(`^00-${traceId}-${server?.spanId}-01$`));
    expect(applied.attributes['messaging.message.id']).toBe(entry?.id);
    const batch = receiver.spans.find((span) => span.spanId === applied.links[0]?.spanId) as ReceivedSpan;
    expect(batch.links.map((link) => link.traceId)).toContain(traceId);
    expect(
      receiver.spans.some(
        (span) =>
          span.service === 'inventory-worker' && span.parentSpanId === batch.spanId && span.attributes['db.system.name'] === 'postgresql',
      ),
    ).toBe(true);

    expect(receiver.refused).toEqual([]);
    const handled = worker.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.message === 'event handled' && line.productId === id);
    expect(handled).toMatchObject({ trace_id: traceId, span_id: applied.spanId });
  });

  test('a dead letter keeps the trace context of its entry', async () => {
    const traceparent = traceparentOf(newTraceId());
    await redis.xAdd(stream, '*', {
      id: randomUUID(),
      type: 'product.created',
      version: '1',
      occurredAt: new Date().toISOString(),
      traceparent,
      data: '{',
    });
    const [letter] = await waitFor('the dead letter', async () => {
      const letters = (await redis.xRange(`${stream}.dlq`, '-', '+')) ?? [];
      return letters.length > 0 ? letters : undefined;
    });
    expect(JSON.parse(letter?.message.fields ?? '{}')).toMatchObject({ traceparent });
  });
});

test('with sampling off no span is sent: all a stopped process had buffered has gone out, and none of it is a span', async () => {
  const quiet = await startService(
    'product-api/dist/main.js',
    'PRODUCT_API_PORT',
    tracingEnv({ PRODUCT_DATABASE_URL: products.url, OTEL_TRACES_SAMPLER: 'always_off', OTEL_SERVICE_NAME: 'product-api-unsampled' }),
  );
  const res = await fetch(`http://127.0.0.1:${quiet.port}/api/products`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', traceparent: traceparentOf(newTraceId()) },
    body: JSON.stringify({ sku: 'UNSAMPLED-1', name: 'Not traced', price: '1.00' }),
  });
  expect(res.status).toBe(201);
  // A clean stop flushes the exporter: what it would ever send has been sent when it exits.
  expect(await quiet.stop()).toBe(0);
  expect(quiet.lines.some((line) => line.includes('"tracing on"'))).toBe(true);
  expect(receiver.spans.filter((span) => span.service === 'product-api-unsampled')).toEqual([]);
});

test('with no endpoint no exporter starts: nothing past the API is loaded', () => {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const { createLogger, startTracing } = require(${JSON.stringify(path.join(ROOT, 'platform', 'dist', 'index.js'))});
       const tracing = startTracing('probe', createLogger('probe', 'silent'), {});
       const loaded = Object.keys(require.cache).filter((file) => /@opentelemetry[\\\\/](sdk|exporter|instrumentation)/.test(file));
       console.log(JSON.stringify({ enabled: tracing.enabled, loaded }));`,
    ],
    { encoding: 'utf8' },
  );
  expect(JSON.parse(probe.stdout)).toEqual({ enabled: false, loaded: [] });
});
