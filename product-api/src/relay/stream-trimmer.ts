import type { Logger, RedisClient } from '@stockstream/platform';
import { compareStreamIds, nextStreamId } from '@stockstream/platform';

export interface TrimResult {
  /** Entries every group had acknowledged, trimmed. */
  floor: string | undefined;
  /** Entries some group had not read yet, dropped to keep the stream under its hard cap. */
  droppedUnread: number;
}

/**
 * Trims the stream below what every consumer group is done with: its oldest pending entry, or after
 * its last delivered one when nothing is pending (XTRIM MINID, approximate, so never past that point).
 * Only when the stream still holds more than `hardCap` entries (groups that lag that far, or no group at
 * all) is it cut to the cap, and the unread entries that costs are logged and counted: reconcile finds
 * and repairs their products.
 */
export async function trimSafely(redis: RedisClient, stream: string, hardCap: number, logger: Logger): Promise<TrimResult> {
  if ((await redis.exists(stream)) === 0) return { floor: undefined, droppedUnread: 0 };
  let floor: string | undefined;
  for (const group of await redis.xInfoGroups(stream)) {
    const name = String(group.name);
    const summary = await redis.xPending(stream, name);
    const done =
      Number(summary.pending) > 0 && summary.firstId ? String(summary.firstId) : nextStreamId(String(group['last-delivered-id']));
    if (floor === undefined || compareStreamIds(done, floor) < 0) floor = done;
  }
  if (floor !== undefined) await redis.xTrim(stream, 'MINID', floor, { strategyModifier: '~' });
  const length = await redis.xLen(stream);
  if (length <= hardCap) return { floor, droppedUnread: 0 };
  const droppedUnread = length - hardCap;
  await redis.xTrim(stream, 'MAXLEN', hardCap);
  logger.error('stream over its hard cap: unread entries dropped; run reconcile to repair their products', {
    stream,
    droppedUnread,
    hardCap,
  });
  return { floor, droppedUnread };
}
