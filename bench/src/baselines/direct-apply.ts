// The worker's own SQL, sent straight through pg: per batch of the worker's batch size, one call of the
// function the worker calls (apply_product_events: lock the batch's products, record the event ids,
// apply each product's newest event; one statement, its own transaction). What the worker would do with
// no Redis, no parsing and no Prisma: the drain's yardstick.
import { Client } from 'pg';
import type { ProductEvent } from '@stockstream/contracts';
import { applyArguments, eventToApply } from '@stockstream/inventory-core';

const APPLY = `SELECT ordinal, outcome FROM apply_product_events(
  $1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::int[], $8::text[], 100)`;

/** Events/s of applying `events` in batches of `batchSize`, on one connection. */
export async function directApply(url: string, events: ProductEvent[], batchSize: number): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const began = performance.now();
    for (let start = 0; start < events.length; start += batchSize) {
      const batch = events.slice(start, start + batchSize).map((event, i) => eventToApply({ event, streamId: `${start + i + 1}-0` }));
      await client.query(APPLY, [...applyArguments(batch)]);
    }
    return events.length / ((performance.now() - began) / 1000);
  } finally {
    await client.end();
  }
}
