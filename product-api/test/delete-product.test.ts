import { randomUUID } from 'node:crypto';
import { startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

describe('DELETE /api/products/{id}', () => {
  test('when the product exists, answers 204, removes it and records product.deleted with its sku and the next version', async () => {
    const product = (await api.http.post('/api/products').send(validProduct()).expect(201)).body;
    await api.http.delete(`/api/products/${product.id}`).expect(204);
    await api.http.get(`/api/products/${product.id}`).expect(404);
    const events = await api.db.outboxEvent.findMany({ where: { productId: product.id }, orderBy: { position: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(['product.created', 'product.deleted']);
    expect(events[1]?.envelope).toMatchObject({ data: { productId: product.id, sku: product.sku, productVersion: 2 } });
  });

  test('when If-Match is stale, answers 412 and keeps the product', async () => {
    const product = (await api.http.post('/api/products').send(validProduct()).expect(201)).body;
    await api.http.delete(`/api/products/${product.id}`).set('If-Match', '"7"').expect(412);
    await api.http.get(`/api/products/${product.id}`).expect(200);
    await api.http.delete(`/api/products/${product.id}`).set('If-Match', '"1"').expect(204);
  });

  test('when the product does not exist, answers 404 and records nothing', async () => {
    const id = randomUUID();
    await api.http.delete(`/api/products/${id}`).expect(404);
    expect(await api.db.outboxEvent.count({ where: { productId: id } })).toBe(0);
  });

  test('when the id is not a UUID, answers 400', async () => {
    await api.http.delete('/api/products/abc').expect(400);
  });
});
