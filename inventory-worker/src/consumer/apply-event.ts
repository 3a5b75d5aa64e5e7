import type { ProductEvent } from '@stockstream/contracts';
import { InventoryRepository } from '@stockstream/inventory-api';
import type { InventoryDb } from '@stockstream/prisma';
import { handleOne, handleRun } from '../handlers';
import type { HandlerContext } from '../handlers/handler';

export type Applied = 'processed' | 'duplicate';

export interface Delivered {
  event: ProductEvent;
  streamId: string;
  /** The entry's fields as they came, for the dead-letter stream. */
  fields: Record<string, string>;
}

/**
 * Applies an event exactly once: its id is recorded in processed_events in the same transaction as its
 * effect. A second delivery finds the id and changes nothing; two at once meet on the unique key, and
 * the second waits for the first and then finds it.
 */
export async function applyEvent(db: InventoryDb, { event, streamId }: Delivered, context: HandlerContext): Promise<Applied> {
  return db.$transaction(async (tx) => {
    const recorded = await tx.$executeRaw`
      INSERT INTO processed_events (event_id, type, stream_id) VALUES (${event.id}::uuid, ${event.type}, ${streamId})
      ON CONFLICT (event_id) DO NOTHING`;
    if (recorded === 0) return 'duplicate';
    await handleOne(new InventoryRepository(tx), event, context);
    return 'processed';
  });
}

/**
 * The same for a whole batch in one transaction: one statement records every id, then each run of
 * consecutive events of one type is applied in one statement, in stream order. A run ends where its type
 * changes or a product comes again, so that each product's events apply in order. Any failure rolls the
 * whole batch back; the caller then applies its events one by one, so that one bad event holds back
 * only itself.
 */
export async function applyEvents(db: InventoryDb, batch: Delivered[], context: HandlerContext): Promise<Applied[]> {
  return db.$transaction(
    async (tx) => {
      const recorded = await tx.$queryRaw<{ event_id: string }[]>`
        INSERT INTO processed_events (event_id, type, stream_id)
        SELECT * FROM unnest(${batch.map((item) => item.event.id)}::uuid[], ${batch.map((item) => item.event.type)}::text[], ${batch.map((item) => item.streamId)}::text[])
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id::text`;
      const fresh = new Set(recorded.map((row) => row.event_id));
      const outcomes = batch.map(({ event }) => (fresh.delete(event.id) ? 'processed' : 'duplicate') satisfies Applied);
      const inventory = new InventoryRepository(tx);
      let run: ProductEvent[] = [];
      const products = new Set<string>();
      for (const [index, { event }] of batch.entries()) {
        if (outcomes[index] !== 'processed') continue;
        if (run.length > 0 && (run[0]?.type !== event.type || products.has(event.data.productId))) {
          await handleRun(inventory, run, context);
          run = [];
          products.clear();
        }
        run.push(event);
        products.add(event.data.productId);
      }
      await handleRun(inventory, run, context);
      return outcomes;
    },
    { timeout: 30_000 },
  );
}
