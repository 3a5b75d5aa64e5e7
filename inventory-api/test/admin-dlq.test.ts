import { connectTestRedis } from '../../platform/test/support/redis-client';
import type { RedisClient } from '@stockstream/platform';
import { asFields, productEvent, seedDeadLetters, testDeadLetterStreams } from './support/dead-letters';
import { startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

const API_KEY = 'test-admin-key-0123456789';
const streams = testDeadLetterStreams();
let redis: RedisClient;
let api: InventoryApiHarness;
let withoutAdmin: InventoryApiHarness;
const created = productEvent('product.created');
const updated = productEvent('product.updated');
let ids: string[];

beforeAll(async () => {
  redis = await connectTestRedis();
  api = await startInventoryApi({ redis, apiKey: API_KEY, deadLetterStream: streams.deadLetterStream, productStream: streams.stream });
  withoutAdmin = await startInventoryApi();
  ids = await seedDeadLetters(redis, streams, [
    { fields: asFields(created), reason: 'max-deliveries', error: 'database said no' },
    { fields: { id: 'x', data: '{oops' }, reason: 'invalid', error: 'data: not valid JSON' },
    { fields: asFields(updated), reason: 'max-deliveries', error: 'no inventory record' },
  ]);
});
afterAll(async () => {
  await api.close();
  await withoutAdmin.close();
  await redis.del([streams.stream, streams.deadLetterStream]);
  await redis.close();
});

const admin = (method: 'get' | 'post' | 'delete', path: string) => api.http[method](path).set('X-API-Key', API_KEY);

describe('/admin/dlq security', () => {
  test('without ADMIN_API_KEY configured the routes do not exist (404), and the OpenAPI document leaves them out', async () => {
    await withoutAdmin.http.get('/admin/dlq').set('X-API-Key', API_KEY).expect(404);
    const { body } = await withoutAdmin.http.get('/openapi.json').expect(200);
    expect(Object.keys(body.paths).some((path) => path.startsWith('/admin'))).toBe(false);
  });

  test('a missing key answers 401, a wrong one 403, also on writes', async () => {
    await api.http.get('/admin/dlq').expect(401);
    await api.http.get('/admin/dlq').set('X-API-Key', 'wrong').expect(403);
    await api.http.post(`/admin/dlq/${ids[0]}/replay`).set('X-API-Key', `${API_KEY}x`).expect(403);
    await api.http.delete(`/admin/dlq/${ids[0]}`).expect(401);
    expect(await redis.xLen(streams.deadLetterStream)).toBe(3);
  });

  test('no other route needs a key', async () => {
    await api.http.get('/api/inventory').expect(200);
  });

  test('the OpenAPI document declares the API-key scheme on the admin routes', async () => {
    const { body } = await api.http.get('/openapi.json').expect(200);
    expect(body.components.securitySchemes.adminApiKey).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    );
    expect(body.paths['/admin/dlq'].get.security).toEqual([{ adminApiKey: [] }]);
  });
});

describe('/admin/dlq operations', () => {
  test('GET answers a page, newest first (order=oldest the other way), filtered by reason, type, product, event and error text', async () => {
    const all = await admin('get', '/admin/dlq').expect(200);
    expect(all.body).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(all.body.items.map((letter: { id: string }) => letter.id)).toEqual([...ids].reverse());
    const oldest = await admin('get', '/admin/dlq?order=oldest').expect(200);
    expect(oldest.body.items.map((letter: { id: string }) => letter.id)).toEqual(ids);
    const ofFilter = async (query: string) =>
      (await admin('get', `/admin/dlq?${query}`).expect(200)).body.items.map((letter: { id: string }) => letter.id);
    expect(await ofFilter('reason=invalid')).toEqual([ids[1]]);
    expect(await ofFilter('type=product.updated')).toEqual([ids[2]]);
    expect(await ofFilter(`productId=${created.data.productId}`)).toEqual([ids[0]]);
    expect(await ofFilter(`eventId=${updated.id}`)).toEqual([ids[2]]);
    expect(await ofFilter('q=DATABASE%20SAID')).toEqual([ids[0]]);
    expect(await ofFilter(`until=${encodeURIComponent(new Date(0).toISOString())}`)).toEqual([]);
    expect(await ofFilter(`since=${encodeURIComponent(new Date(0).toISOString())}`)).toHaveLength(3);
    const limited = await admin('get', '/admin/dlq?limit=2').expect(200);
    expect(limited.body.nextCursor).toBe(ids[1]);
    const rest = await admin('get', `/admin/dlq?limit=2&cursor=${limited.body.nextCursor}`).expect(200);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    for (const bad of ['limit=0', 'limit=501', 'order=random', 'cursor=12', 'since=yesterday', 'cause=xyz']) {
      const res = await admin('get', `/admin/dlq?${bad}`).expect(400);
      expect(res.body.errors[0].path).toBe(`query.${bad.split('=')[0]}`);
    }
  });

  test('GET one shows why it failed and the original event, parsed', async () => {
    const res = await admin('get', `/admin/dlq/${ids[0]}`).expect(200);
    expect(res.body).toMatchObject({
      id: ids[0],
      reason: 'max-deliveries',
      error: 'database said no',
      deliveries: 5,
      type: 'product.created',
      eventId: created.id,
    });
    expect(res.body.original).toMatchObject({ id: created.id, type: 'product.created', data: { productId: created.data.productId } });
    await admin('get', '/admin/dlq/1-0').expect(404);
    await admin('get', '/admin/dlq/not-an-id').expect(400);
  });

  test('POST replay puts the same event (same id) back on the product stream and removes the dead letter', async () => {
    const res = await admin('post', `/admin/dlq/${ids[0]}/replay`).expect(200);
    const [entry] = (await redis.xRange(streams.stream, res.body.replayedAs, res.body.replayedAs)) ?? [];
    expect(entry?.message).toEqual(asFields(created));
    await admin('get', `/admin/dlq/${ids[0]}`).expect(404);
    await admin('post', `/admin/dlq/${ids[0]}/replay`).expect(404);
  });

  test('POST replay of a letter whose fields are not a stream entry is a 422 naming it, and the letter stays', async () => {
    const malformed = await redis.xAdd(streams.deadLetterStream, '*', {
      originalId: '1-1',
      reason: 'invalid',
      error: 'bad',
      fields: JSON.stringify({ id: 'x', data: { nested: true } }),
    });
    const res = await admin('post', `/admin/dlq/${malformed}/replay`).expect(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({
      type: expect.stringContaining('/unreplayable-dead-letter'),
      detail: expect.stringContaining(malformed),
      errors: [{ path: 'params.id', message: 'its field "data" is not a string' }],
    });
    await admin('get', `/admin/dlq/${malformed}`).expect(200);
    await redis.xDel(streams.deadLetterStream, malformed);
  });

  test('DELETE purges one; an unknown one is a 404', async () => {
    await admin('delete', `/admin/dlq/${ids[1]}`).expect(204);
    await admin('delete', `/admin/dlq/${ids[1]}`).expect(404);
    expect((await admin('get', '/admin/dlq').expect(200)).body.items.map((letter: { id: string }) => letter.id)).toEqual([ids[2]]);
  });

  test('an id with a part above 2^64 - 1 is a 400 naming params.id, on reads and on replay', async () => {
    for (const res of [
      await admin('get', '/admin/dlq/99999999999999999999-0'),
      await admin('post', '/admin/dlq/1-99999999999999999999/replay'),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'params.id', message: 'id parts must be at most 2^64 - 1' }]);
    }
    await admin('get', '/admin/dlq/18446744073709551615-0').expect(404);
    // An id without its -seq part would name a whole millisecond: refused, not looked up.
    const partial = await admin('post', '/admin/dlq/1700000000000/replay').expect(400);
    expect(partial.body.errors).toEqual([{ path: 'params.id', message: expect.stringContaining('not a dead-letter id') }]);
  });

  test('the reason filter takes only the reasons there are; answers are never cached', async () => {
    const res = await admin('get', '/admin/dlq?reason=bogus').expect(400);
    expect(res.body.errors).toEqual([{ path: 'query.reason', message: expect.stringContaining('invalid') }]);
    expect((await admin('get', '/admin/dlq').expect(200)).headers['cache-control']).toBe('no-store');
    expect((await api.http.get('/admin/dlq').expect(401)).headers['cache-control']).toBe('no-store');
  });
});
