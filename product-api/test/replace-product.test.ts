import { randomUUID } from 'node:crypto';
import { startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

async function create(overrides: Record<string, unknown> = {}) {
  return (await api.http.post('/api/products').send(validProduct(overrides)).expect(201)).body;
}

describe('PUT /api/products/{id}', () => {
  test('when the body is valid, replaces the product whole, bumps the version and records product.updated', async () => {
    const product = await create({ description: 'will be removed' });
    const res = await api.http.put(`/api/products/${product.id}`).send({ sku: product.sku, name: 'Renamed', price: '25.00' }).expect(200);
    expect(res.body).toMatchObject({ id: product.id, name: 'Renamed', price: '25.00', version: 2 });
    expect(res.body.description).toBeUndefined();
    expect(res.headers.etag).toBe('"2"');
    const events = await api.db.outboxEvent.findMany({ where: { productId: product.id }, orderBy: { position: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(['product.created', 'product.updated']);
    expect(events[1]?.envelope).toMatchObject({ data: { name: 'Renamed', price: '25.00', productVersion: 2 } });
  });

  test('when If-Match carries the current ETag, the change is applied', async () => {
    const product = await create();
    await api.http
      .put(`/api/products/${product.id}`)
      .set('If-Match', '"1"')
      .send(validProduct({ sku: product.sku }))
      .expect(200);
  });

  test('when If-Match is stale, answers 412, changes nothing and records no event', async () => {
    const product = await create();
    await api.http
      .put(`/api/products/${product.id}`)
      .send(validProduct({ sku: product.sku }))
      .expect(200);
    const res = await api.http
      .put(`/api/products/${product.id}`)
      .set('If-Match', '"1"')
      .send(validProduct({ sku: product.sku, name: 'Lost update' }))
      .expect(412);
    expect(res.body).toMatchObject({ status: 412, detail: expect.stringContaining('version 2') });
    const stored = await api.db.product.findUniqueOrThrow({ where: { id: product.id } });
    expect(stored.name).not.toBe('Lost update');
    expect(await api.db.outboxEvent.count({ where: { productId: product.id } })).toBe(2);
  });

  test('when two clients update with the same If-Match at once, exactly one wins', async () => {
    const product = await create();
    const answers = await Promise.all(
      ['A', 'B', 'C', 'D'].map((name) =>
        api.http
          .put(`/api/products/${product.id}`)
          .set('If-Match', '"1"')
          .send(validProduct({ sku: product.sku, name })),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412, 412, 412]);
  });

  test('when the product does not exist, answers 404', async () => {
    await api.http.put(`/api/products/${randomUUID()}`).send(validProduct()).expect(404);
  });

  test('when the new sku belongs to another product, answers 409 naming body.sku', async () => {
    const one = await create();
    const two = await create();
    const res = await api.http
      .put(`/api/products/${two.id}`)
      .send(validProduct({ sku: one.sku }))
      .expect(409);
    expect(res.body.errors).toEqual([{ path: 'body.sku', message: expect.stringContaining(one.sku) }]);
  });

  test('when a field is missing (a PUT replaces whole), answers 400 naming it', async () => {
    const product = await create();
    const res = await api.http.put(`/api/products/${product.id}`).send({ sku: product.sku, name: 'No price' }).expect(400);
    expect(res.body.errors).toEqual([{ path: 'body.price', message: 'price is required' }]);
  });
});
