import { arrayLiteral } from '@stockstream/prisma';
import type { Queryable } from './inventory-repository';

/** What the product stream does to a record: a snapshot makes or refreshes it, a removal deletes it. */
export type StockRule = 'snapshot' | 'removal';

/** One delivered event, as the apply function takes it. */
export interface EventToApply {
  eventId: string;
  type: string;
  streamId: string;
  productId: string;
  sku: string;
  /** null for a removal: a deleted event carries no name. */
  name: string | null;
  /** The version the event speaks for (versionOf). */
  productVersion: number;
  rule: StockRule;
}

/**
 * What became of one event: `processed` changed the record (or its tombstone), `stale` was older than
 * what the inventory side knew and changed nothing, `duplicate` had been applied before (same event id).
 */
export type Applied = 'processed' | 'stale' | 'duplicate';

const OUTCOMES = new Set<string>(['processed', 'stale', 'duplicate']);

/** The function's array arguments, in its order (ids, types, stream ids, products, skus, names, versions, rules). */
export function applyArguments(events: EventToApply[]) {
  return [
    events.map((e) => e.eventId),
    events.map((e) => e.type),
    events.map((e) => e.streamId),
    events.map((e) => e.productId),
    events.map((e) => e.sku),
    events.map((e) => e.name),
    events.map((e) => e.productVersion),
    events.map((e) => e.rule),
  ] as const;
}

/**
 * What the product stream does to stock. A batch is applied by the database function
 * apply_product_events (prisma/inventory/functions/apply_product_events.sql): one statement, so one
 * round trip and its own transaction, that locks the batch's products, records the event ids, and of
 * each product applies only its newest new event, and only over an older version: the result does not
 * depend on delivery order, batching or duplicates. Stock itself (quantity, reserved) is written only
 * when a record is first made.
 */
export class ProductEventsRepository {
  constructor(private readonly db: Queryable) {}

  /** Answers each event's outcome, in the order given. */
  async apply(events: EventToApply[], initialStock: number): Promise<Applied[]> {
    if (events.length === 0) return [];
    const [eventIds, types, streamIds, productIds, skus, names, versions, rules] = applyArguments(events);
    // Each array as its literal, one string for Prisma to pass on (arrayLiteral).
    const rows = await this.db.$queryRaw<{ ordinal: number; outcome: string }[]>`
      SELECT ordinal, outcome FROM apply_product_events(
        ${arrayLiteral(eventIds)}::uuid[], ${arrayLiteral(types)}::text[], ${arrayLiteral(streamIds)}::text[],
        ${arrayLiteral(productIds)}::uuid[], ${arrayLiteral(skus)}::text[], ${arrayLiteral(names)}::text[],
        ${arrayLiteral(versions)}::int[], ${arrayLiteral(rules)}::text[], ${initialStock}::int)`;
    return events.map((_, i) => {
      const outcome = rows[i]?.outcome;
      if (rows[i]?.ordinal !== i + 1 || outcome === undefined || !OUTCOMES.has(outcome))
        throw new Error(`apply_product_events answered ${JSON.stringify(rows[i])} for event ${i + 1} of ${events.length}`);
      return outcome as Applied;
    });
  }

  /**
   * Deletes processed-event ids and tombstones past their retention, at most `limit` of each, so that a
   * run holds no long lock; answers how many went.
   */
  async prune(retention: { processedEventsMs: number; tombstonesMs: number }, limit: number): Promise<number> {
    const processed = await this.db.$executeRaw`
      DELETE FROM processed_events WHERE event_id IN (
        SELECT event_id FROM processed_events
        WHERE processed_at < now() - make_interval(secs => ${retention.processedEventsMs / 1000}) LIMIT ${limit})`;
    const tombstones = await this.db.$executeRaw`
      DELETE FROM product_tombstones WHERE product_id IN (
        SELECT product_id FROM product_tombstones
        WHERE deleted_at < now() - make_interval(secs => ${retention.tombstonesMs / 1000}) LIMIT ${limit})`;
    return processed + tombstones;
  }
}
