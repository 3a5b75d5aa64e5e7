// What a careless or hostile client can send is a 4xx that names the field, never a 500.
import { createRecord, newRecord, startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

let api: InventoryApiHarness;
beforeAll(async () => {
  api = await startInventoryApi();
});
afterAll(() => api.close());

const paths = (res: { body: { errors?: { path: string }[] } }) => (res.body.errors ?? []).map((error) => error.path);

test('a NUL or a lone surrogate in a text field is a 400 naming it', async () => {
  expect(
    paths(
      await api.http
        .post('/api/inventory')
        .send(newRecord({ name: 'Mug\u0000' }))
        .expect(400),
    ),
  ).toEqual(['body.name']);
  const record = await createRecord(api);
  const adjust = (reason: string) => api.http.post(`/api/inventory/${record.productId}/adjustments`).send({ delta: 1, reason });
  expect(paths(await adjust('re\u0000stock').expect(400))).toEqual(['body.reason']);
  expect(paths(await adjust('re\udc00stock').expect(400))).toEqual(['body.reason']);
});

test('a forged cursor is a 400 naming query.cursor', async () => {
  const forged = Buffer.from(`${new Date().toISOString()}|${'a'.repeat(36)}`).toString('base64url');
  expect(paths(await api.http.get('/api/inventory').query({ cursor: forged }).expect(400))).toEqual(['query.cursor']);
});

test('broken percent-encoding in a path is a 400', async () => {
  for (const path of ['/api/inventory/%ff', '/api/inventory/%', '/api/inventory/%zz/reservations']) {
    const res = await api.http.get(path).expect(400);
    expect(paths(res)).toEqual(['params']);
  }
});
