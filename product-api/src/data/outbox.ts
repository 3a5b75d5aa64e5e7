import type { ProductEvent } from '@stockstream/contracts';
import type { ProductDb } from '@stockstream/prisma/product';
import { ProductPrisma } from '@stockstream/prisma/product';

export type Tx = Parameters<Parameters<ProductDb['$transaction']>[0]>[0];

/** Writes events to the outbox in the transaction of the change they announce; the relay publishes them. */
export async function recordEvents(tx: Tx, events: ProductEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.outboxEvent.createMany({
    data: events.map((event) => ({
      eventId: event.id,
      productId: event.data.productId,
      type: event.type,
      envelope: event as unknown as ProductPrisma.InputJsonObject,
    })),
  });
}
