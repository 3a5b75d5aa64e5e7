import { Client } from 'pg';
import { startProductApi, validProduct } from './support/product-api';
import type { ProductApiHarness } from './support/product-api';

// One connection, so that every request and the check below share it.
let api: ProductApiHarness;
beforeAll(async () => {
  api = await startProductApi({ poolSize: 1 });
});
afterAll(() => api.close());

async function preparedOnTheConnection(): Promise<string[]> {
  const { rows } = await api.sql.query<{ name: string }>(
    `SELECT name FROM pg_prepared_statements WHERE name LIKE 'product-api.%' ORDER BY name`,
  );
  return rows.map((row) => row.name);
}

async function createAndRead(): Promise<void> {
  const created = await api.http.post('/api/products').send(validProduct()).expect(201);
  const read = await api.http.get(`/api/products/${created.body.id}`).expect(200);
  expect(read.body).toEqual(created.body);
}

describe('the create and the read by id', () => {
  test('are prepared by name on the connection that runs them', async () => {
    await createAndRead();
    await createAndRead();
    expect(await preparedOnTheConnection()).toEqual(['product-api.create', 'product-api.find-by-id']);
  });

  test('still answer as before once a migration has added a column under them', async () => {
    await createAndRead();
    const admin = new Client({ connectionString: api.databaseUrl });
    await admin.connect();
    try {
      await admin.query(`ALTER TABLE products ADD COLUMN launched_at timestamptz`);
    } finally {
      await admin.end();
    }
    await createAndRead();
    expect(await preparedOnTheConnection()).toEqual(['product-api.create', 'product-api.find-by-id']);
  });
});
