import { captureLogLines } from '../../platform/test/support/log-lines';
import { startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi();
});
afterAll(() => api.close());

test('when the database fails in a way no client caused, answers 500 problem+json that says nothing of the inside', async () => {
  const lines = captureLogLines(api.logger);
  await api.db.$executeRawUnsafe('ALTER TABLE outbox RENAME TO outbox_gone');
  try {
    const res = await api.http.post('/api/products').set('X-Request-Id', 'req-500').send(validProduct()).expect(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'https://stockstream.dev/problems/internal',
      title: 'Internal server error',
      status: 500,
      detail: 'Something went wrong on our side; quote the requestId if you report it',
      instance: '/api/products',
      requestId: 'req-500',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/outbox|relation|prisma|sql/i);
    // The inside goes to the log, under the id the client can quote.
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'unhandled error', requestId: 'req-500' }));
    // Nothing half done: the product did not commit without its event.
    expect(await api.db.product.count()).toBe(0);
  } finally {
    await api.db.$executeRawUnsafe('ALTER TABLE outbox_gone RENAME TO outbox');
  }
  await api.http.post('/api/products').send(validProduct()).expect(201);
});
