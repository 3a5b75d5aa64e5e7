import { startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
const created: { id: string; sku: string; name: string }[] = [];

beforeAll(async () => {
  api = await startProductApi();
  for (let i = 0; i < 7; i++) {
    const res = await api.http
      .post('/api/products')
      .send(validProduct({ sku: `LIST-${i}`, name: i % 2 === 0 ? `Blue Mug ${i}` : `Red Shirt ${i}` }))
      .expect(201);
    created.push(res.body);
  }
});
afterAll(() => api.close());

async function allPages(query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await api.http
      .get(`/api/products?${query}${cursor ? `&cursor=${cursor}` : ''}`)
      .expect(200);
    ids.push(...res.body.items.map((item: { id: string }) => item.id));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe('GET /api/products', () => {
  test('when paging with limit 3, every product comes exactly once, in creation order, over 3 pages', async () => {
    const { ids, pages } = await allPages('limit=3');
    expect(ids).toEqual(created.map((product) => product.id));
    expect(pages).toBe(3);
  });

  test('when the limit equals the number of products, one page with no next cursor', async () => {
    const res = await api.http.get('/api/products?limit=7').expect(200);
    expect(res.body.items).toHaveLength(7);
    expect(res.body.nextCursor).toBeNull();
  });

  test('when no limit is given, pages of 20', async () => {
    const res = await api.http.get('/api/products').expect(200);
    expect(res.body.items).toHaveLength(7);
  });

  test('when filtering by sku, only that product', async () => {
    const res = await api.http.get('/api/products?sku=LIST-3').expect(200);
    expect(res.body.items.map((item: { sku: string }) => item.sku)).toEqual(['LIST-3']);
  });

  test('when filtering by a name substring, matches ignoring case', async () => {
    const { ids } = await allPages('name=blue%20MUG&limit=2');
    expect(ids).toEqual(created.filter((product) => product.name.startsWith('Blue')).map((product) => product.id));
  });

  test('when a product is added between pages, paging neither skips nor repeats', async () => {
    const first = await api.http.get('/api/products?limit=4').expect(200);
    const added = await api.http
      .post('/api/products')
      .send(validProduct({ sku: 'LIST-LATE' }))
      .expect(201);
    const second = await api.http.get(`/api/products?limit=100&cursor=${first.body.nextCursor}`).expect(200);
    const ids = [...first.body.items, ...second.body.items].map((item: { id: string }) => item.id);
    expect(ids).toEqual([...created.map((product) => product.id), added.body.id]);
    await api.http.delete(`/api/products/${added.body.id}`).expect(204);
  });

  test.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['limit=2.5', 'query.limit'],
    ['cursor=not-a-cursor', 'query.cursor'],
    ['colour=red', 'query.colour'],
  ])('when the query has %s, answers 400 naming %s', async (query, path) => {
    const res = await api.http.get(`/api/products?${query}`).expect(400);
    expect(res.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  test('when a query parameter is repeated, answers 400 instead of failing', async () => {
    const res = await api.http.get('/api/products?limit=1&limit=2').expect(400);
    expect(res.body.errors[0].path).toBe('query.limit');
  });
});
