import SwaggerParser from '@apidevtools/swagger-parser';
import { listRoutes } from '@stockstream/platform';
import { startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

let api: InventoryApiHarness;
beforeAll(async () => {
  api = await startInventoryApi();
});
afterAll(() => api.close());

describe('GET /openapi.json', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    const res = await api.http.get('/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(res.body))).resolves.toBeDefined();
  });

  test('lists every route the app serves, and nothing it does not', async () => {
    const { body } = await api.http.get('/openapi.json').expect(200);
    const documented = Object.entries(body.paths as Record<string, object>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = listRoutes(api.app).filter((route) => !/ \/(openapi\.json|swagger)$/.test(route));
    expect(served.sort()).toEqual(documented.sort());
  });

  test('every operation documents its problem+json errors', async () => {
    const { body } = await api.http.get('/openapi.json').expect(200);
    for (const [path, operations] of Object.entries(
      body.paths as Record<string, Record<string, { responses: Record<string, { content?: object }> }>>,
    )) {
      if (path.startsWith('/health') || path === '/metrics') continue;
      for (const operation of Object.values(operations))
        expect(operation.responses['500']?.content).toHaveProperty(['application/problem+json']);
    }
  });

  test('Swagger UI is served at /docs', async () => {
    expect((await api.http.get('/docs/').expect(200)).text).toContain('swagger-ui');
  });
});

describe('health', () => {
  test('live and ready answer when the database does', async () => {
    await api.http.get('/health/live').expect(200, { status: 'ok' });
    await api.http.get('/health/ready').expect(200, { status: 'ready', checks: { database: { ok: true } } });
  });
});
