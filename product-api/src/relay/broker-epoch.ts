import { randomUUID } from 'node:crypto';
import type { ProductDb } from '@stockstream/prisma/product';
import type { RedisClient } from '@stockstream/platform';
import { compareStreamIds } from '@stockstream/platform';

/** The key of the epoch marker written beside a stream: a new random value each time the stream starts over. */
export const epochKey = (stream: string) => `${stream}:epoch`;

export type LossReason = 'epoch-missing' | 'epoch-changed' | 'stream-missing' | 'stream-behind' | 'entries-lost';

export interface Loss {
  reason: LossReason;
  detail: string;
}

/** What the relay recorded of the stream, from Postgres. */
export interface RelayState {
  epoch: string;
  lastStreamId: string | null;
  /** Entries published since the stream started over. */
  published: bigint;
  /** The dead-letter stream's length at the last check. */
  deadLettersSeen: bigint;
}

/**
 * Compares what Redis holds with what the relay recorded in Postgres, the source of truth: the epoch
 * marker gone or another, the stream gone, its last id before the last one the relay published, or
 * fewer entries ever added to it than the relay published (it was deleted and made again), each means
 * Redis lost entries (a restart without persistence, a failover to a replica that was
 * behind, an eviction, a FLUSHALL, a deleted key). Undefined when nothing was lost.
 */
export async function findLoss(redis: RedisClient, stream: string, state: RelayState): Promise<Loss | undefined> {
  const epoch = await redis.get(epochKey(stream));
  if (epoch === null) return { reason: 'epoch-missing', detail: `the epoch marker ${epochKey(stream)} is gone` };
  if (epoch !== state.epoch) return { reason: 'epoch-changed', detail: `epoch ${epoch}, the relay wrote ${state.epoch}` };
  if (state.lastStreamId === null) return undefined;
  if ((await redis.exists(stream)) === 0) return { reason: 'stream-missing', detail: `the stream ${stream} is gone` };
  const info = await redis.xInfoStream(stream);
  const lastId = String(info['last-generated-id']);
  if (compareStreamIds(lastId, state.lastStreamId) < 0) {
    return { reason: 'stream-behind', detail: `the stream ends at ${lastId}, the relay published up to ${state.lastStreamId}` };
  }
  const added = BigInt(info['entries-added']);
  if (added < state.published) {
    return { reason: 'entries-lost', detail: `${added} entries were ever added to the stream; the relay published ${state.published}` };
  }
  return undefined;
}

/**
 * The relay's state, made on first use: it adopts the epoch Redis has, or writes one. Serialized with
 * other relays by the relay lock, so that all agree on one epoch.
 */
export async function loadRelayState(db: ProductDb, redis: RedisClient, stream: string, lockKey: number): Promise<RelayState> {
  const existing = await db.relayState.findUnique({ where: { stream } });
  if (existing) return existing;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockKey})`;
    const made = await tx.relayState.findUnique({ where: { stream } });
    if (made) return made;
    const key = epochKey(stream);
    await redis.set(key, randomUUID(), { condition: 'NX' });
    const epoch = (await redis.get(key)) ?? randomUUID();
    return tx.relayState.create({ data: { stream, epoch } });
  });
}

/**
 * Starts the stream over after a loss: in the relay lock's transaction, the stream's mark goes back to the
 * start, so every retained outbox event is published again (in the relay's order; consumers apply each id
 * once and by version, so the copies they already had change nothing), and a new epoch is recorded and
 * written beside the stream. False when another relay did it first (Redis already holds the recorded
 * epoch). Also says how many dead letters the dead-letter stream lost since the last check.
 */
export async function startStreamOver(
  db: ProductDb,
  redis: RedisClient,
  { stream, deadLetterStream }: { stream: string; deadLetterStream: string },
  lockKey: number,
): Promise<{ republished: number; deadLettersLost: number } | undefined> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockKey})`;
      const state = await tx.relayState.findUnique({ where: { stream } });
      if (state && (await findLoss(redis, stream, state)) === undefined) return undefined;
      const epoch = randomUUID();
      const republished = await tx.outboxEvent.count();
      // The dead letters live only in Redis: what it lost of them is counted here, once, by the relay
      // that starts the stream over (at least that many: letters added since the last check are not known).
      const deadLetters = BigInt(await redis.xLen(deadLetterStream));
      const seen = state?.deadLettersSeen ?? 0n;
      await tx.relayState.upsert({
        where: { stream },
        create: { stream, epoch, deadLettersSeen: deadLetters },
        update: { epoch, lastStreamId: null, published: 0, deadLettersSeen: deadLetters, updatedAt: new Date() },
      });
      await tx.$executeRaw`UPDATE relay_state SET published_txid = '0', published_position = 0 WHERE stream = ${stream}`;
      // Last, so that a failure before the commit leaves the loss visible and it is found again.
      await redis.set(epochKey(stream), epoch);
      return { republished, deadLettersLost: Number(seen > deadLetters ? seen - deadLetters : 0n) };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}
