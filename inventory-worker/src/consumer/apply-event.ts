import type { ProductEvent } from '@stockstream/contracts';
import { InventoryRepository } from '@stockstream/inventory-api';
import type { InventoryDb } from '@stockstream/prisma';
import { handle } from '../handlers';
import type { HandlerContext } from '../handlers/handler';

export type Applied = 'processed' | 'duplicate';

/**
 * Applies an event exactly once: its id is recorded in processed_events in the same transaction as its
 * effect. A second delivery finds the id and changes nothing; two at once meet on the unique key, and
 * the second waits for the first and then finds it.
 */
export async function applyEvent(db: InventoryDb, event: ProductEvent, streamId: string, context: HandlerContext): Promise<Applied> {
  return db.$transaction(async (tx) => {
    const recorded = await tx.$executeRaw`
      INSERT INTO processed_events (event_id, type, stream_id) VALUES (${event.id}::uuid, ${event.type}, ${streamId})
      ON CONFLICT (event_id) DO NOTHING`;
    if (recorded === 0) return 'duplicate';
    await handle(new InventoryRepository(tx), event, context);
    return 'processed';
  });
}
