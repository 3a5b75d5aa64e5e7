// Exactly product-api's SQL for a read by id and a create (product and outbox event in one statement),
// with a pg pool of the same size, for the minimal servers the API is measured against. As unnamed
// statements (parsed and planned by Postgres on every query), the form a minimal server writes; with
// NAMED_STATEMENTS=true as named ones, prepared once per connection, as product-api sends them.
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const named = process.env.NAMED_STATEMENTS === 'true';
const COLUMNS = 'id, sku, name, description, price, version, created_at, updated_at';

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const toProduct = (row: ProductRow) => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  ...(row.description === null ? {} : { description: row.description }),
  price: Number(row.price).toFixed(2),
  version: row.version,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export async function readProduct(id: string) {
  const { rows } = await pool.query<ProductRow>({
    ...(named ? { name: 'bench.read' } : {}),
    text: `SELECT ${COLUMNS} FROM products WHERE id = $1::uuid`,
    values: [id],
  });
  return rows[0] ? toProduct(rows[0]) : undefined;
}

/** The minimum of product-api's validation: the fields are strings. */
export function validInput(body: unknown): body is { sku: string; name: string; description?: string; price: string } {
  const input = body as Record<string, unknown> | null;
  return typeof input?.sku === 'string' && typeof input.name === 'string' && typeof input.price === 'string';
}

export async function createProduct(input: { sku: string; name: string; description?: string; price: string }) {
  const id = randomUUID();
  const event = {
    id: randomUUID(),
    version: 1,
    occurredAt: new Date().toISOString(),
    type: 'product.created' as const,
    data: { productId: id, sku: input.sku, name: input.name, price: input.price, productVersion: 1 },
  };
  const { rows } = await pool.query<ProductRow>({
    ...(named ? { name: 'bench.create' } : {}),
    text: `WITH created AS (
       INSERT INTO products (id, sku, name, description, price, version, updated_at)
       VALUES ($1::uuid, $2, $3, $4, $5::numeric, 1, now()) RETURNING ${COLUMNS}
     ), recorded AS (
       INSERT INTO outbox (event_id, product_id, type, envelope)
       SELECT $6::uuid, id, $7, $8::jsonb FROM created
     )
     SELECT ${COLUMNS} FROM created`,
    values: [id, input.sku, input.name, input.description ?? null, input.price, event.id, event.type, JSON.stringify(event)],
  });
  return toProduct(rows[0] as ProductRow);
}
