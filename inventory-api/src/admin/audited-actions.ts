import type { ConsumptionState } from '@stockstream/contracts';
import type { ReplayOutcome } from '@stockstream/inventory-core';
import type { InventoryAdmin } from './inventory-admin';

type Parts = Pick<InventoryAdmin, 'deadLetters' | 'consumption' | 'audit'>;

/** The admin actions the API and the page both offer, each recorded in the audit as it is done. */
export async function replayOne({ deadLetters, audit }: Parts, actor: string, id: string): Promise<ReplayOutcome> {
  const [replayed = { id, outcome: 'unknown' }] = await deadLetters.replay([id]);
  const ok = replayed.outcome === 'replayed';
  await audit.record({ actor, action: 'dead-letter.replay', target: id, count: ok ? 1 : 0, outcome: ok ? 'ok' : replayed.outcome });
  return replayed;
}

/** Whether the letter was there to purge. */
export async function purgeOne({ deadLetters, audit }: Parts, actor: string, id: string): Promise<boolean> {
  const removed = (await deadLetters.purge([id])).length;
  await audit.record({ actor, action: 'dead-letter.purge', target: id, count: removed, outcome: removed > 0 ? 'ok' : 'unknown' });
  return removed > 0;
}

export async function pauseConsumption(
  { consumption, audit }: Parts,
  actor: string,
  reason: string | undefined,
): Promise<ConsumptionState> {
  const state = await consumption.pause({ reason, by: actor });
  await audit.record({ actor, action: 'consumption.pause', target: consumption.key, outcome: 'ok', detail: reason });
  return state;
}

export async function resumeConsumption({ consumption, audit }: Parts, actor: string): Promise<ConsumptionState> {
  const state = await consumption.resume();
  await audit.record({ actor, action: 'consumption.resume', target: consumption.key, outcome: 'ok' });
  return state;
}
