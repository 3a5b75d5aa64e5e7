import { randomUUID } from 'node:crypto';
import { createRecord, newRecord, startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

let api: InventoryApiHarness;
beforeAll(async () => {
  api = await startInventoryApi();
});
afterAll(() => api.close());

describe('POST /api/inventory', () => {
  test('when the record is valid, answers 201 with available computed, Location and ETag', async () => {
    const input = newRecord({ quantity: 12 });
    const res = await api.http.post('/api/inventory').send(input).expect(201);
    expect(res.body).toMatchObject({ ...input, reserved: 0, available: 12, version: 1 });
    expect(res.headers.location).toBe(`/api/inventory/${input.productId}`);
    expect(res.headers.etag).toBe('"1"');
  });

  test('when the product already has a record, answers 409 naming body.productId', async () => {
    const input = newRecord();
    await api.http.post('/api/inventory').send(input).expect(201);
    const res = await api.http.post('/api/inventory').send(input).expect(409);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/inventory-exists$/), errors: [{ path: 'body.productId' }] });
  });

  test.each([
    ['a negative quantity', { quantity: -1 }, 'body.quantity'],
    ['a fractional quantity', { quantity: 1.5 }, 'body.quantity'],
    ['a quantity beyond 32 bits', { quantity: 2 ** 31 }, 'body.quantity'],
    ['a quantity as a string', { quantity: '5' }, 'body.quantity'],
    ['a malformed productId', { productId: 'p-1' }, 'body.productId'],
    ['an unknown field', { reserved: 3 }, 'body.reserved'],
  ])('when the body has %s, answers 400 naming %s', async (_what, overrides, path) => {
    const res = await api.http.post('/api/inventory').send(newRecord(overrides)).expect(400);
    expect(res.body.errors.map((error: { path: string }) => error.path)).toEqual([path]);
  });
});

describe('GET /api/inventory/{productId}', () => {
  test('when the record exists, answers it with its ETag', async () => {
    const record = await createRecord(api);
    const res = await api.http.get(`/api/inventory/${record.productId}`).expect(200);
    expect(res.body).toEqual(record);
    expect(res.headers.etag).toBe('"1"');
  });

  test('when there is no record, answers 404; a malformed id, 400 naming params.productId', async () => {
    await api.http.get(`/api/inventory/${randomUUID()}`).expect(404);
    const res = await api.http.get('/api/inventory/123').expect(400);
    expect(res.body.errors[0].path).toBe('params.productId');
  });
});

describe('PUT /api/inventory/{productId}', () => {
  test('when If-Match is current, sets the quantity and bumps the version', async () => {
    const record = await createRecord(api);
    const res = await api.http.put(`/api/inventory/${record.productId}`).set('If-Match', '"1"').send({ quantity: 7 }).expect(200);
    expect(res.body).toMatchObject({ quantity: 7, available: 7, version: 2 });
    expect(res.headers.etag).toBe('"2"');
  });

  test('when If-Match is stale, answers 412 and changes nothing', async () => {
    const record = await createRecord(api);
    await api.http.put(`/api/inventory/${record.productId}`).send({ quantity: 50 }).expect(200);
    await api.http.put(`/api/inventory/${record.productId}`).set('If-Match', '"1"').send({ quantity: 1 }).expect(412);
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body.quantity).toBe(50);
  });

  test('when the new quantity is below what is reserved, answers 409 naming body.quantity', async () => {
    const record = await createRecord(api, { quantity: 10 });
    await api.http.post(`/api/inventory/${record.productId}/reservations`).send({ quantity: 6, reference: 'order-1' }).expect(201);
    const res = await api.http.put(`/api/inventory/${record.productId}`).send({ quantity: 5 }).expect(409);
    expect(res.body.errors).toEqual([{ path: 'body.quantity', message: 'must be at least the reserved amount, 6' }]);
    await api.http.put(`/api/inventory/${record.productId}`).send({ quantity: 6 }).expect(200);
  });

  test('when there is no record, answers 404', async () => {
    await api.http.put(`/api/inventory/${randomUUID()}`).send({ quantity: 1 }).expect(404);
  });
});

describe('DELETE /api/inventory/{productId}', () => {
  test('removes the record and its reservations', async () => {
    const record = await createRecord(api);
    await api.http.post(`/api/inventory/${record.productId}/reservations`).send({ quantity: 1, reference: 'r1' }).expect(201);
    await api.http.delete(`/api/inventory/${record.productId}`).expect(204);
    await api.http.get(`/api/inventory/${record.productId}`).expect(404);
    expect(await api.db.reservation.count({ where: { productId: record.productId } })).toBe(0);
  });

  test('when If-Match is stale, answers 412; when there is no record, 404', async () => {
    const record = await createRecord(api);
    await api.http.delete(`/api/inventory/${record.productId}`).set('If-Match', '"9"').expect(412);
    await api.http.delete(`/api/inventory/${randomUUID()}`).expect(404);
  });
});
