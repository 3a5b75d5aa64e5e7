import { createRecord, startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

let api: InventoryApiHarness;
const ids: string[] = [];
beforeAll(async () => {
  api = await startInventoryApi();
  for (const quantity of [0, 3, 10, 50, 100]) ids.push((await createRecord(api, { quantity, sku: `LOW-${quantity}` })).productId);
  await api.http.post(`/api/inventory/${ids[4]}/reservations`).send({ quantity: 98, reference: 'big-order' }).expect(201);
});
afterAll(() => api.close());

describe('GET /api/inventory', () => {
  test('pages through every record once, in creation order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { productId: string }[]; nextCursor: string | null } } = await api.http
        .get(`/api/inventory?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      seen.push(...res.body.items.map((item: { productId: string }) => item.productId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  test('lowStock=N lists the records whose available stock is at most N (reservations count)', async () => {
    const res = await api.http.get('/api/inventory?lowStock=3').expect(200);
    expect(res.body.items.map((item: { sku: string; available: number }) => [item.sku, item.available])).toEqual([
      ['LOW-0', 0],
      ['LOW-3', 3],
      ['LOW-100', 2],
    ]);
  });

  test('sku filters to that record', async () => {
    const res = await api.http.get('/api/inventory?sku=LOW-10').expect(200);
    expect(res.body.items).toHaveLength(1);
  });

  test.each([['lowStock=-1'], ['lowStock=abc'], ['limit=500'], ['cursor=zzz'], ['unknown=1']])(
    'when the query has %s, answers 400',
    async (query) => {
      const res = await api.http.get(`/api/inventory?${query}`).expect(400);
      expect(res.body.errors[0].path).toMatch(/^query\./);
    },
  );
});
