// What a careless or hostile client can send is a 4xx that names the field, never a 500.
import { startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

const paths = (res: { body: { errors?: { path: string }[] } }) => (res.body.errors ?? []).map((error) => error.path);
const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('text Postgres cannot store', () => {
  test.each([
    ['a NUL character', 'Red\u0000shirt', 'NUL'],
    ['a lone surrogate', 'a\ud800b', 'lone surrogate'],
  ])('%s in the name is a 400 naming body.name', async (_what, name, message) => {
    const res = await api.http.post('/api/products').send(validProduct({ name })).expect(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ path: 'body.name', message: expect.stringContaining(message) }]);
  });

  test('a NUL in the description or in the name filter is a 400 naming it', async () => {
    expect(
      paths(
        await api.http
          .post('/api/products')
          .send(validProduct({ description: 'x\u0000' }))
          .expect(400),
      ),
    ).toEqual(['body.description']);
    expect(paths(await api.http.get('/api/products').query({ name: 'a\u0000b' }).expect(400))).toEqual(['query.name']);
  });
});

describe('forged list cursors', () => {
  test.each([
    ['a time and 36 characters that are not a UUID', b64(`${new Date().toISOString()}|${'-'.repeat(36)}`)],
    ['a time Postgres cannot hold', b64('-200000-01-01T00:00:00.000Z|0b3f9a1e-5c1d-4f7e-9a0b-1c2d3e4f5a6b')],
    ['a time not written as the API writes it', b64('2026-01-01|0b3f9a1e-5c1d-4f7e-9a0b-1c2d3e4f5a6b')],
    ['something else entirely', 'not-a-cursor'],
  ])('%s is a 400 naming query.cursor', async (_what, cursor) => {
    expect(paths(await api.http.get('/api/products').query({ cursor }).expect(400))).toEqual(['query.cursor']);
  });
});

describe('malformed requests Express rejects', () => {
  test.each(['/api/products/%ff', '/api/products/%', '/api/products/%E0%A4%A'])('%s (broken percent-encoding) is a 400', async (path) => {
    const res = await api.http.get(path).expect(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, errors: [{ path: 'params' }] });
  });

  test.each(['gzip', 'deflate', 'br'])(
    'a body that says Content-Encoding: %s but is not compressed is a 4xx, not a 500',
    async (encoding) => {
      const res = await api.http
        .post('/api/products')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send(JSON.stringify(validProduct()));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.type).toBe('application/problem+json');
    },
  );
});

describe('security headers', () => {
  test('every answer carries nosniff and a CSP; Swagger UI is served under it', async () => {
    const res = await api.http.get('/api/products').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    const docs = await api.http.get('/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });
});
