// The stream's contract as an AsyncAPI 3.0 document, generated from the zod contracts and checked with the
// official parser; an event product-api really published fits its message's payload schema.
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import { parseStreamFields } from '@stockstream/contracts';
import { startProductApi } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';
import { waitFor } from '../../platform/test/support/wait';

let api: ProductApiHarness;

beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

test('GET /asyncapi.json is a valid AsyncAPI 3.0 document: no error and no warning from the official parser', async () => {
  const { body } = await api.http.get('/asyncapi.json').expect(200);
  expect(body.asyncapi).toBe('3.0.0');
  const { document, diagnostics } = await new Parser().parse(JSON.stringify(body));
  // Severity 0 is an error, 1 a warning; 2 and 3 are information and hints (such as "3.1.0 exists").
  expect(diagnostics.filter((diagnostic) => diagnostic.severity <= 1).map((diagnostic) => diagnostic.message)).toEqual([]);
  const channel = document?.channels().get('productEvents');
  expect(channel?.address()).toBe('products.events');
  expect(
    channel
      ?.messages()
      .all()
      .map((message) => message.name()),
  ).toEqual(['product.created', 'product.updated', 'product.deleted']);
  expect(document?.channels().get('deadLetters')?.address()).toBe('products.events.dlq');
});

test('what product-api publishes fits the payload schema of its message', async () => {
  const { body } = await api.http.get('/asyncapi.json').expect(200);
  const created = await api.http.post('/api/products').send({ sku: 'ASYNC-1', name: 'Described', price: '2.50' }).expect(201);
  await api.http
    .put(`/api/products/${created.body.id}`)
    .set('If-Match', String(created.headers.etag))
    .send({ sku: 'ASYNC-1', name: 'Renamed', price: '2.50' })
    .expect(200);
  await api.http.delete(`/api/products/${created.body.id}`).expect(204);
  const entries = await waitFor('three entries', async () => {
    const read = (await api.redis.xRange(api.stream, '-', '+')) ?? [];
    return read.length === 3 ? read : undefined;
  });
  const ajv = new Ajv({ strict: false });
  for (const entry of entries) {
    const parsed = parseStreamFields({ ...entry.message });
    if (!parsed.ok) throw new Error(parsed.error);
    const name = { 'product.created': 'productCreated', 'product.updated': 'productUpdated', 'product.deleted': 'productDeleted' }[
      parsed.event.type
    ];
    const validate = ajv.compile(body.components.messages[name].payload);
    expect(validate(JSON.parse(JSON.stringify(parsed.event)))).toBe(true);
  }
});
