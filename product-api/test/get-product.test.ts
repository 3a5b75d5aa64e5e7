import { randomUUID } from 'node:crypto';
import { startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

describe('GET /api/products/{id}', () => {
  test('when the product exists, answers it with its ETag', async () => {
    const created = await api.http.post('/api/products').send(validProduct()).expect(201);
    const res = await api.http.get(`/api/products/${created.body.id}`).expect(200);
    expect(res.body).toEqual(created.body);
    expect(res.headers.etag).toBe('"1"');
  });

  test('when no product has the id, answers 404 problem+json', async () => {
    const res = await api.http.get(`/api/products/${randomUUID()}`).expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, title: 'Not found' });
  });

  test('when the id is not a UUID, answers 400 naming params.id', async () => {
    const res = await api.http.get('/api/products/42').expect(400);
    expect(res.body.errors).toEqual([{ path: 'params.id', message: 'id must be a UUID' }]);
  });

  test('when the route does not exist, answers 404 problem+json', async () => {
    const res = await api.http.get('/api/nothing-here').expect(404);
    expect(res.body.detail).toBe('No route GET /api/nothing-here');
  });
});
