// A schema-driven fuzz run against both APIs (dead-letter admin routes included): a few thousand requests
// generated from their own OpenAPI documents, valid and broken values for every parameter and body field.
// No answer may be a 5xx; every 4xx is problem+json, and a 400 or 422 names the fields; the services stay up.
import fc from 'fast-check';
import { connectTestRedis } from '../platform/test/support/redis-client';
import type { RedisClient } from '@stockstream/platform';
import { asFields, productEvent, seedDeadLetters, testDeadLetterStreams } from '../inventory-api/test/support/dead-letters';
import { createRecord, startInventoryApi } from '../inventory-api/test/support/inventory-api';
import type { InventoryApiHarness } from '../inventory-api/test/support/inventory-api';
import { startProductApi, validProduct } from '../product-api/test/support/product-api';
import type { ProductApiHarness } from '../product-api/test/support/product-api';
import { OpenApiFuzzer } from './support/openapi-fuzz';
import type { FuzzRequest, OpenApiDocument } from './support/openapi-fuzz';

const API_KEY = 'fuzz-admin-key-0123456789';
const RUNS_PER_OPERATION = 150;
let redis: RedisClient;
let products: ProductApiHarness;
let inventory: InventoryApiHarness;
const streams = testDeadLetterStreams();

beforeAll(async () => {
  redis = await connectTestRedis();
  products = await startProductApi();
  inventory = await startInventoryApi({
    redis,
    apiKey: API_KEY,
    deadLetterStream: streams.deadLetterStream,
    productStream: streams.stream,
  });
  await seedDeadLetters(redis, streams, [{ fields: asFields(productEvent('product.created')), reason: 'max-deliveries', error: 'x' }]);
});
afterAll(async () => {
  await products.close();
  await inventory.close();
  // The admin routes were fuzzed too: a pause among them, the dead-letter index with its letters.
  await inventory.admin?.deadLetters.purgeAll();
  await redis.del([streams.stream, `${streams.stream}:consumption`]);
  await redis.close();
});

type Http = ProductApiHarness['http'];

async function send(http: Http, request: FuzzRequest) {
  const method = request.method as 'get' | 'post' | 'put' | 'delete';
  let call = http[method](request.path).query(request.query).set(request.headers).set('X-API-Key', API_KEY);
  if (request.body !== undefined) call = call.set('Content-Type', 'application/json').send(request.body);
  return call;
}

/** What is wrong with an answer, or undefined when it is as it must be. */
function violation(res: { status: number; type: string; body: { errors?: { path?: unknown }[] } }): string | undefined {
  if (res.status >= 500) return `answered ${res.status}`;
  if (res.status < 400) return undefined;
  if (res.type !== 'application/problem+json') return `answered ${res.status} as ${res.type}`;
  if (
    (res.status === 400 || res.status === 422) &&
    !res.body.errors?.every((error) => typeof error.path === 'string' && error.path.length > 0)
  ) {
    return `answered ${res.status} without naming the fields`;
  }
  return undefined;
}

async function fuzz(http: Http, fuzzer: OpenApiFuzzer): Promise<number> {
  let sent = 0;
  for (const { path, method } of fuzzer.operations()) {
    await fc.assert(
      fc.asyncProperty(fuzzer.requests(path, method), async (request) => {
        sent++;
        const res = await send(http, request);
        const wrong = violation(res);
        if (wrong) throw new Error(`${request.method.toUpperCase()} ${request.path} ${wrong}: ${res.text.slice(0, 300)}`);
      }),
      { numRuns: RUNS_PER_OPERATION },
    );
  }
  return sent;
}

test('product-api: generated requests get no 5xx, problem+json for every 4xx, the fields named', async () => {
  const ids = await Promise.all(
    [1, 2, 3].map(async () => (await products.http.post('/api/products').send(validProduct()).expect(201)).body.id),
  );
  const document = (await products.http.get('/openapi.json').expect(200)).body as OpenApiDocument;
  const sent = await fuzz(products.http, new OpenApiFuzzer(document, ids));
  expect(sent).toBe(8 * RUNS_PER_OPERATION);
  await products.http.get('/health/ready').expect(200);
});

test('inventory-api: generated requests get no 5xx, problem+json for every 4xx, the fields named', async () => {
  const ids = await Promise.all([1, 2, 3].map(async () => (await createRecord(inventory)).productId));
  const document = (await inventory.http.get('/openapi.json').expect(200)).body as OpenApiDocument;
  const sent = await fuzz(inventory.http, new OpenApiFuzzer(document, ids));
  expect(sent).toBe(26 * RUNS_PER_OPERATION);
  await inventory.http.get('/health/ready').expect(200);
});
