import { createRecord, newRecord, startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

let api: InventoryApiHarness;
beforeAll(async () => {
  api = await startInventoryApi();
});
afterAll(() => api.close());

describe('Idempotency-Key on POST', () => {
  test('a retried adjustment with the same key and body gets the same answer and is applied once', async () => {
    const record = await createRecord(api, { quantity: 10 });
    const send = () =>
      api.http.post(`/api/inventory/${record.productId}/adjustments`).set('Idempotency-Key', 'adj-1').send({ delta: -3, reason: 'sale' });
    const first = await send().expect(200);
    const again = await send().expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body.quantity).toBe(7);
  });

  test('the same key with another body answers 422 and applies nothing', async () => {
    const record = await createRecord(api, { quantity: 10 });
    const url = `/api/inventory/${record.productId}/adjustments`;
    await api.http.post(url).set('Idempotency-Key', 'adj-2').send({ delta: -1, reason: 'sale' }).expect(200);
    const res = await api.http.post(url).set('Idempotency-Key', 'adj-2').send({ delta: -5, reason: 'sale' }).expect(422);
    expect(res.body).toMatchObject({ status: 422, errors: [{ path: 'headers.idempotency-key' }] });
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body.quantity).toBe(9);
  });

  test('the same key sent 10 times at once applies once', async () => {
    const record = await createRecord(api, { quantity: 100 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.http
          .post(`/api/inventory/${record.productId}/adjustments`)
          .set('Idempotency-Key', 'burst')
          .send({ delta: -10, reason: 'sale' }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body.quantity).toBe(90);
  });

  test('a retried create and a retried reservation answer as the first time did', async () => {
    const input = newRecord({ quantity: 5 });
    const created = await api.http.post('/api/inventory').set('Idempotency-Key', 'create-1').send(input).expect(201);
    const again = await api.http.post('/api/inventory').set('Idempotency-Key', 'create-1').send(input).expect(201);
    expect(again.body).toEqual(created.body);
    expect(again.headers.location).toBe(created.headers.location);
    const reserve = () =>
      api.http
        .post(`/api/inventory/${input.productId}/reservations`)
        .set('Idempotency-Key', 'res-1')
        .send({ quantity: 2, reference: 'o-1' });
    await reserve().expect(201);
    await reserve().expect(201);
    expect((await api.http.get(`/api/inventory/${input.productId}`)).body.reserved).toBe(2);
  });

  test('a request that failed is not stored: a retry after the cause is fixed succeeds', async () => {
    const record = await createRecord(api, { quantity: 1 });
    const send = () =>
      api.http
        .post(`/api/inventory/${record.productId}/adjustments`)
        .set('Idempotency-Key', 'after-fix')
        .send({ delta: -2, reason: 'sale' });
    await send().expect(409);
    await api.http.post(`/api/inventory/${record.productId}/adjustments`).send({ delta: 5, reason: 'delivery' }).expect(200);
    await send().expect(200);
  });

  test('a key that is too long answers 400 naming the header', async () => {
    const record = await createRecord(api);
    const res = await api.http
      .post(`/api/inventory/${record.productId}/adjustments`)
      .set('Idempotency-Key', 'k'.repeat(201))
      .send({ delta: 1, reason: 'x' })
      .expect(400);
    expect(res.body.errors[0].path).toBe('headers.idempotency-key');
  });

  test('one key is one request however the path is spelled: upper-case id, trailing slash, percent-encoded letters', async () => {
    const record = await createRecord(api, { quantity: 10 });
    const id: string = record.productId;
    const encoded = id.replace(/[a-f]/, (letter) => `%${letter.charCodeAt(0).toString(16)}`);
    const spellings = [
      `/api/inventory/${id}/adjustments`,
      `/api/inventory/${id.toUpperCase()}/adjustments`,
      `/api/inventory/${id}/adjustments/`,
      `/api/inventory/${encoded}/adjustments`,
    ];
    expect(new Set(spellings).size).toBe(4);
    const answers = [];
    for (const url of spellings)
      answers.push(await api.http.post(url).set('Idempotency-Key', 'spelled-1').send({ delta: -1, reason: 'sale' }).expect(200));
    expect(answers.slice(1).every((res) => res.headers['idempotent-replayed'] === 'true')).toBe(true);
    expect((await api.http.get(`/api/inventory/${id}`)).body.quantity).toBe(9);
  });

  test('the same body with its fields in another order is the same request, not a 422', async () => {
    const record = await createRecord(api, { quantity: 10 });
    const url = `/api/inventory/${record.productId}/adjustments`;
    await api.http
      .post(url)
      .set('Idempotency-Key', 'order-1')
      .set('Content-Type', 'application/json')
      .send('{"delta":-2,"reason":"sale"}')
      .expect(200);
    const again = await api.http
      .post(url)
      .set('Idempotency-Key', 'order-1')
      .set('Content-Type', 'application/json')
      .send('{"reason":"sale","delta":-2}')
      .expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await api.http.get(`/api/inventory/${record.productId}`)).body.quantity).toBe(8);
  });
});
