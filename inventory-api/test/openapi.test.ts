import {
  expectDocumentsEveryRoute,
  expectLintClean,
  expectProblemResponses,
  expectValidOpenApi31,
} from '../../platform/test/support/openapi-contract';
import { registerAdminPaths } from '../src/http/admin-openapi';
import { inventoryOpenApi } from '../src/http/openapi';
import { connectTestRedis } from '../../platform/test/support/redis-client';
import { testDeadLetterStreams } from './support/dead-letters';
import { startInventoryApi } from './support/inventory-api';
import type { InventoryApiHarness } from './support/inventory-api';

let api: InventoryApiHarness;
beforeAll(async () => {
  api = await startInventoryApi();
});
afterAll(() => api.close());

describe('GET /openapi.json', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    await expectValidOpenApi31((await api.http.get('/openapi.json').expect(200)).body);
  });

  test("passes Redocly's recommended rules with no error and no warning, with and without the admin paths", async () => {
    await expectLintClean((await api.http.get('/openapi.json').expect(200)).body);
    // /admin/dlq/{id}/replay and /admin/dlq/groups/{id} would both match /admin/dlq/groups/replay, but a
    // dead-letter id is `<ms>-<seq>` (its pattern is in the document), never "groups": not ambiguous in fact.
    await expectLintClean(inventoryOpenApi([registerAdminPaths]), ['no-ambiguous-paths']);
  });

  test('lists every route the app serves, and nothing it does not, with and without admin', async () => {
    expectDocumentsEveryRoute(api.app, (await api.http.get('/openapi.json').expect(200)).body);
    const redis = await connectTestRedis();
    const streams = testDeadLetterStreams();
    const admin = await startInventoryApi({
      redis,
      apiKey: 'openapi-admin-key-0123456789',
      deadLetterStream: streams.deadLetterStream,
      productStream: streams.stream,
    });
    try {
      expectDocumentsEveryRoute(admin.app, (await admin.http.get('/openapi.json').expect(200)).body);
    } finally {
      await admin.close();
      await redis.close();
    }
  });

  test('every operation documents its problem+json errors', async () => {
    expectProblemResponses((await api.http.get('/openapi.json').expect(200)).body);
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
