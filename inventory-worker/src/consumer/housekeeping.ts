import { ProductEventsRepository } from '@stockstream/inventory-core';
import type { Logger, RedisClient } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { removeIdleConsumers } from './consumer-hygiene';
import type { ConsumerOptions } from './consumer-options';

/** Applied event ids and tombstones pruned per round, at most: a round stays short. */
const PRUNE_LIMIT = 10_000;

/**
 * Once every PRUNE_INTERVAL_MS: consumers of earlier processes idle with nothing pending leave the group,
 * and applied event ids and tombstones past their retention are pruned.
 */
export async function housekeeping({
  options,
  redis,
  db,
  logger,
}: {
  options: ConsumerOptions;
  redis: RedisClient;
  db: InventoryDb;
  logger: Logger;
}): Promise<void> {
  const removed = await removeIdleConsumers(redis, options);
  if (removed.length > 0) logger.info('removed idle consumers', { consumers: removed });
  // Pruning must never hold up consumption: it gives up on a lock it cannot get soon (next time, then).
  const pruned = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SET LOCAL lock_timeout = '1s'`;
    return new ProductEventsRepository(tx).prune(
      { processedEventsMs: options.processedEventsRetentionMs, tombstonesMs: options.tombstoneRetentionMs },
      PRUNE_LIMIT,
    );
  });
  if (pruned > 0) logger.info('pruned processed event ids and tombstones', { count: pruned });
}
