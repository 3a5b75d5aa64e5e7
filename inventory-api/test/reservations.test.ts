import { randomUUID } from 'node:crypto';
import { createRecord, startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

let api: InventoryApiHarness;
beforeAll(async () => {
  api = await startInventoryApi();
});
afterAll(() => api.close());

const reserve = (productId: string, quantity: unknown, reference: unknown) =>
  api.http.post(`/api/inventory/${productId}/reservations`).send({ quantity, reference });

describe('POST /api/inventory/{productId}/reservations', () => {
  test('reserves available stock: reserved goes up, available down, quantity stays', async () => {
    const record = await createRecord(api, { quantity: 10 });
    const res = await reserve(record.productId, 4, 'order-1').expect(201);
    expect(res.body).toMatchObject({ productId: record.productId, reference: 'order-1', quantity: 4 });
    expect(res.headers.location).toBe(`/api/inventory/${record.productId}/reservations/order-1`);
    const item = await api.http.get(`/api/inventory/${record.productId}`).expect(200);
    expect(item.body).toMatchObject({ quantity: 10, reserved: 4, available: 6 });
  });

  test('the same reference twice is the same reservation, not two', async () => {
    const record = await createRecord(api, { quantity: 10 });
    const first = await reserve(record.productId, 3, 'order-2').expect(201);
    const again = await reserve(record.productId, 3, 'order-2').expect(200);
    expect(again.body).toEqual(first.body);
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body.reserved).toBe(3);
  });

  test('the same reference with another quantity answers 409 naming body.reference', async () => {
    const record = await createRecord(api, { quantity: 10 });
    await reserve(record.productId, 3, 'order-3').expect(201);
    const res = await reserve(record.productId, 5, 'order-3').expect(409);
    expect(res.body.errors[0].path).toBe('body.reference');
  });

  test('reserving more than is available answers 409 insufficient-stock with what is available', async () => {
    const record = await createRecord(api, { quantity: 5 });
    await reserve(record.productId, 2, 'a').expect(201);
    const res = await reserve(record.productId, 4, 'b').expect(409);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/insufficient-stock$/), available: 3 });
  });

  test.each([
    ['a zero quantity', 0, 'r', 'body.quantity'],
    ['a negative quantity', -2, 'r', 'body.quantity'],
    ['a fractional quantity', 0.5, 'r', 'body.quantity'],
    ['an empty reference', 1, '', 'body.reference'],
    ['a reference with a slash', 1, 'a/b', 'body.reference'],
  ])('when the body has %s (%p, %p), answers 400 naming %s', async (_what, quantity, reference, path) => {
    const record = await createRecord(api);
    const res = await reserve(record.productId, quantity, reference).expect(400);
    expect(res.body.errors.map((error: { path: string }) => error.path)).toEqual([path]);
  });

  test('lists the reservations of a product', async () => {
    const record = await createRecord(api, { quantity: 10 });
    await reserve(record.productId, 1, 'x').expect(201);
    await reserve(record.productId, 2, 'y').expect(201);
    const res = await api.http.get(`/api/inventory/${record.productId}/reservations`).expect(200);
    expect(res.body.map((reservation: { reference: string }) => reservation.reference)).toEqual(['x', 'y']);
  });

  test('when there is no record, answers 404', async () => {
    await reserve(randomUUID(), 1, 'r').expect(404);
  });
});

describe('DELETE /api/inventory/{productId}/reservations/{reference}', () => {
  test('releases the reservation and gives its quantity back', async () => {
    const record = await createRecord(api, { quantity: 10 });
    await reserve(record.productId, 7, 'order-9').expect(201);
    await api.http.delete(`/api/inventory/${record.productId}/reservations/order-9`).expect(204);
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body).toMatchObject({ reserved: 0, available: 10 });
  });

  test('releasing an unknown reference answers 404, and releasing twice gives back once', async () => {
    const record = await createRecord(api, { quantity: 10 });
    await api.http.delete(`/api/inventory/${record.productId}/reservations/nope`).expect(404);
    await reserve(record.productId, 4, 'twice').expect(201);
    await api.http.delete(`/api/inventory/${record.productId}/reservations/twice`).expect(204);
    await api.http.delete(`/api/inventory/${record.productId}/reservations/twice`).expect(404);
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body.reserved).toBe(0);
  });
});

describe('reservations under concurrency', () => {
  test('concurrent reservations never push reserved above quantity', async () => {
    const record = await createRecord(api, { quantity: 50 });
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => reserve(record.productId, 1 + (i % 3), `order-${i}`)));
    const granted = answers.filter((answer) => answer.status === 201);
    expect(answers.every((answer) => answer.status === 201 || answer.status === 409)).toBe(true);
    const reservedSum = granted.reduce((sum, answer) => sum + answer.body.quantity, 0);
    const item = await api.http.get(`/api/inventory/${record.productId}`).expect(200);
    expect(item.body.reserved).toBe(reservedSum);
    expect(item.body.reserved).toBeLessThanOrEqual(50);
    expect(item.body.reserved).toBeGreaterThanOrEqual(48); // every refusal saw too little left for its 1 to 3
    expect(await api.db.reservation.count({ where: { productId: record.productId } })).toBe(granted.length);
  });

  test('the same reference sent 20 times at once reserves once', async () => {
    const record = await createRecord(api, { quantity: 50 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => reserve(record.productId, 5, 'same-order')));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(19);
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body.reserved).toBe(5);
  });

  test('concurrent reserves, releases and adjustments keep 0 <= reserved <= quantity', async () => {
    const record = await createRecord(api, { quantity: 30 });
    await Promise.all(
      Array.from({ length: 90 }, (_, i) => {
        if (i % 3 === 0) return reserve(record.productId, 2, `mix-${i}`);
        if (i % 3 === 1) return api.http.delete(`/api/inventory/${record.productId}/reservations/mix-${i - 1}`);
        return api.http.post(`/api/inventory/${record.productId}/adjustments`).send({ delta: -1, reason: 'sale' });
      }),
    );
    const item = (await api.http.get(`/api/inventory/${record.productId}`).expect(200)).body;
    const held = await api.db.reservation.aggregate({ where: { productId: record.productId }, _sum: { quantity: true } });
    expect(item.reserved).toBe(held._sum.quantity ?? 0);
    expect(item.reserved).toBeGreaterThanOrEqual(0);
    expect(item.reserved).toBeLessThanOrEqual(item.quantity);
  });
});
