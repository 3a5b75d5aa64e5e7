import { waitFor } from '../../platform/test/support/wait';
import { startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

describe('POST /api/products', () => {
  test('when the product is valid, answers 201 with Location, ETag and the stored product', async () => {
    const input = validProduct({ price: '19.90' });
    const res = await api.http.post('/api/products').send(input).expect(201);
    expect(res.body).toMatchObject({ sku: input.sku, name: input.name, description: input.description, price: '19.90', version: 1 });
    expect(res.headers.location).toBe(`/api/products/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    const stored = await api.db.product.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(stored.price.toFixed(2)).toBe('19.90');
  });

  test('when the product is created, its event is in the outbox of the same commit and then on the stream', async () => {
    const res = await api.http.post('/api/products').set('X-Request-Id', 'req-create-1').send(validProduct()).expect(201);
    const outbox = await api.db.outboxEvent.findMany({ where: { productId: res.body.id } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ type: 'product.created' });
    const entries = await waitFor('the event on the stream', async () => {
      const found = ((await api.redis.xRange(api.stream, '-', '+')) ?? []).flatMap((entry) =>
        entry?.message.data?.includes(res.body.id) ? [entry] : [],
      );
      return found.length > 0 ? found : undefined;
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.message).toMatchObject({
      type: 'product.created',
      version: '1',
      correlationId: 'req-create-1',
      id: outbox[0]?.eventId,
    });
  });

  test('when a price has no decimals, it is stored, answered and published with two', async () => {
    const res = await api.http
      .post('/api/products')
      .send(validProduct({ price: '5' }))
      .expect(201);
    expect(res.body.price).toBe('5.00');
  });

  test('when the price has three decimals, answers 400 naming body.price', async () => {
    const res = await api.http
      .post('/api/products')
      .send(validProduct({ price: '19.999' }))
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'Your request is not valid' });
    expect(res.body.errors).toEqual([{ path: 'body.price', message: expect.stringContaining('at most 2 decimals') }]);
  });

  test.each([
    ['a negative price', { price: '-1.00' }, 'body.price'],
    ['a price sent as a number', { price: 19.99 }, 'body.price'],
    ['an empty name', { name: '' }, 'body.name'],
    ['a name over 200 characters', { name: 'x'.repeat(201) }, 'body.name'],
    ['a description over 2000 characters', { description: 'x'.repeat(2001) }, 'body.description'],
    ['a sku with a space', { sku: 'A B' }, 'body.sku'],
    ['a sku over 64 characters', { sku: 'A'.repeat(65) }, 'body.sku'],
    ['an unknown field', { colour: 'red' }, 'body.colour'],
  ])('when the body has %s, answers 400 naming the field', async (_what, overrides, path) => {
    const res = await api.http.post('/api/products').send(validProduct(overrides)).expect(400);
    expect(res.body.errors.map((error: { path: string }) => error.path)).toEqual([path]);
  });

  test('when a required field is missing, answers 400 saying it is required', async () => {
    const res = await api.http.post('/api/products').send({ name: 'No sku', price: '1.00' }).expect(400);
    expect(res.body.errors).toEqual([{ path: 'body.sku', message: 'sku is required' }]);
  });

  test('when the sku already exists, answers 409 naming the field and writes no second event', async () => {
    const input = validProduct();
    await api.http.post('/api/products').send(input).expect(201);
    const res = await api.http
      .post('/api/products')
      .send({ ...input, name: 'Another' })
      .expect(409);
    expect(res.body).toMatchObject({ status: 409, type: expect.stringMatching(/duplicate-sku$/), errors: [{ path: 'body.sku' }] });
    expect(await api.db.product.count({ where: { sku: input.sku } })).toBe(1);
    expect(await api.db.outboxEvent.count({ where: { envelope: { path: ['data', 'sku'], equals: input.sku } } })).toBe(1);
  });

  test('when the JSON is malformed, answers 400 malformed-json, not 500', async () => {
    const res = await api.http.post('/api/products').set('Content-Type', 'application/json').send('{"sku": ').expect(400);
    expect(res.body.type).toMatch(/malformed-json$/);
  });

  test('when the body is not JSON, answers 415', async () => {
    const res = await api.http.post('/api/products').set('Content-Type', 'text/plain').send('sku=1').expect(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test('when the body is over 100 kB, answers 413', async () => {
    const res = await api.http
      .post('/api/products')
      .send(validProduct({ description: 'x'.repeat(110_000) }))
      .expect(413);
    expect(res.body.status).toBe(413);
  });

  test('when the body is a JSON array or a bare value, answers 400', async () => {
    await api.http.post('/api/products').send([validProduct()]).expect(400);
    const res = await api.http.post('/api/products').set('Content-Type', 'application/json').send('"text"').expect(400);
    expect(res.body.status).toBe(400);
  });

  test('when the caller sends an X-Request-Id, it is echoed; a malformed one is replaced', async () => {
    const mine = await api.http.post('/api/products').set('X-Request-Id', 'my-trace-42').send(validProduct()).expect(201);
    expect(mine.headers['x-request-id']).toBe('my-trace-42');
    const bad = await api.http.post('/api/products').set('X-Request-Id', 'has spaces and <tags>').send(validProduct()).expect(201);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
