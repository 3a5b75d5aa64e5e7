import { randomUUID } from 'node:crypto';
import { createRecord, startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

let api: InventoryApiHarness;
beforeAll(async () => {
  api = await startInventoryApi();
});
afterAll(() => api.close());

const adjust = (productId: string, delta: unknown, reason: unknown = 'cycle count') =>
  api.http.post(`/api/inventory/${productId}/adjustments`).send({ delta, reason });

describe('POST /api/inventory/{productId}/adjustments', () => {
  test('adds and takes stock, and records each adjustment in the ledger', async () => {
    const record = await createRecord(api, { quantity: 10 });
    expect((await adjust(record.productId, 5, 'delivery').expect(200)).body).toMatchObject({ quantity: 15, available: 15, version: 2 });
    expect((await adjust(record.productId, -15, 'sold out').expect(200)).body).toMatchObject({ quantity: 0, available: 0 });
    const ledger = await api.db.stockAdjustment.findMany({ where: { productId: record.productId }, orderBy: { id: 'asc' } });
    expect(ledger.map((row) => [row.delta, row.reason])).toEqual([
      [5, 'delivery'],
      [-15, 'sold out'],
    ]);
  });

  test('when the result would go below zero, answers 409 insufficient-stock with what is available', async () => {
    const record = await createRecord(api, { quantity: 3 });
    const res = await adjust(record.productId, -4).expect(409);
    expect(res.body).toMatchObject({
      type: expect.stringMatching(/insufficient-stock$/),
      available: 3,
      detail: expect.stringContaining('available: 3'),
    });
    expect(await api.db.stockAdjustment.count({ where: { productId: record.productId } })).toBe(0);
  });

  test('when the result would go below what is reserved, answers 409 with the unreserved amount', async () => {
    const record = await createRecord(api, { quantity: 10 });
    await api.http.post(`/api/inventory/${record.productId}/reservations`).send({ quantity: 8, reference: 'o-1' }).expect(201);
    const res = await adjust(record.productId, -3).expect(409);
    expect(res.body.available).toBe(2);
    await adjust(record.productId, -2).expect(200);
  });

  test('when the result would pass the 32-bit limit, answers 409 stock-limit', async () => {
    const record = await createRecord(api, { quantity: 2_147_483_000 });
    const res = await adjust(record.productId, 1000).expect(409);
    expect(res.body.type).toMatch(/stock-limit$/);
  });

  test.each([
    ['a zero delta', 0, 'body.delta'],
    ['a fractional delta', 1.5, 'body.delta'],
    ['a delta beyond 32 bits', 2 ** 31, 'body.delta'],
    ['a delta as a string', '-1', 'body.delta'],
  ])('when the body has %s, answers 400 naming %s', async (_what, delta, path) => {
    const record = await createRecord(api);
    const res = await adjust(record.productId, delta).expect(400);
    expect(res.body.errors.map((error: { path: string }) => error.path)).toEqual([path]);
  });

  test('when the reason is missing, answers 400 naming body.reason', async () => {
    const record = await createRecord(api);
    const res = await api.http.post(`/api/inventory/${record.productId}/adjustments`).send({ delta: 1 }).expect(400);
    expect(res.body.errors).toEqual([{ path: 'body.reason', message: 'reason is required' }]);
  });

  test('when there is no record, answers 404', async () => {
    await adjust(randomUUID(), 1).expect(404);
  });
});

describe('adjustments under concurrency', () => {
  test('200 concurrent adjustments of -1 on a stock of 100: exactly 100 succeed, 100 get 409, the stock ends at 0', async () => {
    const record = await createRecord(api, { quantity: 100 });
    const answers = await Promise.all(Array.from({ length: 200 }, () => adjust(record.productId, -1)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses.filter((status) => status === 409)).toHaveLength(100);
    const final = await api.http.get(`/api/inventory/${record.productId}`).expect(200);
    expect(final.body).toMatchObject({ quantity: 0, available: 0, version: 101 });
    expect(await api.db.stockAdjustment.count({ where: { productId: record.productId } })).toBe(100);
  });

  test('concurrent additions and removals add up exactly', async () => {
    const record = await createRecord(api, { quantity: 1000 });
    const deltas = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? 7 : -4));
    await Promise.all(deltas.map((delta) => adjust(record.productId, delta).expect(200)));
    const final = await api.http.get(`/api/inventory/${record.productId}`).expect(200);
    expect(final.body.quantity).toBe(1000 + deltas.reduce((sum, delta) => sum + delta, 0));
  });
});
