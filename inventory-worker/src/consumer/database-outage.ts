import { setTimeout as sleep } from 'node:timers/promises';
import type { InventoryDb } from '@stockstream/prisma/inventory';

/** An outage is not the event's fault: after a failure, this tells whether the database answers at all. */
export async function databaseAnswers(db: InventoryDb): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits, with a capped backoff, until the database answers again or `stopped()` says to give up;
 * `probed` is told of each attempt that found it still away.
 */
export async function waitForDatabase(db: InventoryDb, stopped: () => boolean, probed: () => void = () => undefined): Promise<boolean> {
  for (let attempt = 0; !stopped(); attempt++) {
    const delayMs = Math.min(100 * 2 ** attempt, 5_000);
    await sleep(delayMs);
    if (await databaseAnswers(db)) return true;
    probed();
  }
  return false;
}
