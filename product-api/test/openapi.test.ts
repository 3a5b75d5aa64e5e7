import {
  documentedRoutes,
  expectDocumentsEveryRoute,
  expectLintClean,
  expectProblemResponses,
  expectValidOpenApi31,
} from '../../platform/test/support/openapi-contract';
import { productOpenApi } from '../src/http/openapi';
import { startProductApi } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

describe('GET /openapi.json', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    await expectValidOpenApi31((await api.http.get('/openapi.json').expect(200)).body);
  });

  test("passes Redocly's recommended rules with no error and no warning, with and without the admin path", async () => {
    await expectLintClean((await api.http.get('/openapi.json').expect(200)).body);
    await expectLintClean(productOpenApi({ admin: true }));
  });

  test('documents every API route with its request, response and error schemas', async () => {
    const { body } = await api.http.get('/openapi.json').expect(200);
    expect(documentedRoutes(body).sort()).toEqual(
      [
        'POST /api/products',
        'GET /api/products',
        'GET /api/products/{id}',
        'PUT /api/products/{id}',
        'DELETE /api/products/{id}',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
      ].sort(),
    );
    expect(body.paths['/api/products'].post.responses['400'].content['application/problem+json']).toBeDefined();
    expect(body.components.schemas.ProductInput.required).toEqual(expect.arrayContaining(['sku', 'name', 'price']));
    expectProblemResponses(body);
  });

  test('lists every route the app serves, and nothing it does not', async () => {
    expectDocumentsEveryRoute(api.app, (await api.http.get('/openapi.json').expect(200)).body);
  });

  test('each documented path answers something other than the 404 of an unknown route', async () => {
    const { body } = await api.http.get('/openapi.json').expect(200);
    for (const [path, operations] of Object.entries(body.paths as Record<string, object>)) {
      for (const method of Object.keys(operations)) {
        const url = path.replace('{id}', '00000000-0000-4000-8000-000000000000');
        const res = await (api.http as unknown as Record<string, (url: string) => Promise<{ body: { detail?: string } }>>)[method]!(url);
        expect(res.body.detail ?? '').not.toMatch(/^No route/);
      }
    }
  });

  test('Swagger UI is served at /docs and /swagger redirects there', async () => {
    const docs = await api.http.get('/docs/').expect(200);
    expect(docs.text).toContain('swagger-ui');
    await api.http.get('/swagger').expect(301).expect('Location', '/docs');
  });
});
