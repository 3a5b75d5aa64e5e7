import { startProductApi } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

describe('health', () => {
  test('GET /health/live answers ok', async () => {
    await api.http.get('/health/live').expect(200, { status: 'ok' });
  });

  test('GET /health/ready reports the database, Redis, the broker and the outbox backlog', async () => {
    const res = await api.http.get('/health/ready').expect(200);
    expect(res.body).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, redis: { ok: true }, broker: { ok: true } },
      outboxBacklog: 0,
    });
  });
});
