import { toStreamFields } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';
import { epochKey } from './broker-epoch';
import type { LockedClaim } from './outbox-claim';

/**
 * Publishing: the claimed rows to the stream, in one pipeline, with the epoch marker read in the same
 * round trip. Answers their stream ids, and whether the marker is not the one recorded: then Redis lost
 * the stream and these entries went into a new one (the broker watch starts it over, and they are
 * published again with the rest).
 */
export async function publishClaim(
  redis: RedisClient,
  stream: string,
  { rows, epoch }: LockedClaim,
): Promise<{ streamIds: string[]; epochChanged: boolean }> {
  const pipeline = redis.multi().get(epochKey(stream));
  for (const row of rows) pipeline.xAdd(stream, '*', toStreamFields(row.envelope));
  const [seenEpoch, ...streamIds] = await pipeline.execAsPipeline();
  return { streamIds: streamIds.map(String), epochChanged: seenEpoch === null || String(seenEpoch) !== epoch };
}
