import type { RedisClient } from '@stockstream/platform';
import { errorMessage } from '@stockstream/platform';
import type { ConsumerOptions } from './consumer-options';
import type { StreamEntry } from './stream-entry';
import { toEntries } from './stream-entry';

/** What a read or a claim found: entries to handle, and ids whose message is gone from the stream (trimmed). */
export interface Claimed {
  entries: StreamEntry[];
  deletedIds: string[];
}

export const isMissingGroup = (error: unknown) => errorMessage(error).includes('NOGROUP');

/** This consumer's view of its group: reading, claiming, acknowledging. It holds no state of its own. */
export class ConsumerGroup {
  constructor(
    /** For XACK, XAUTOCLAIM and XPENDING. */
    private readonly redis: RedisClient,
    /** Its own connection, since XREADGROUP BLOCK holds the connection it runs on. */
    private readonly reader: RedisClient,
    private readonly options: ConsumerOptions,
  ) {}

  /** The epoch marker the relay writes beside the stream; another value means Redis started the stream over. */
  epoch(): Promise<string | null> {
    return this.redis.get(`${this.options.stream}:epoch`);
  }

  async ensure(): Promise<void> {
    const { stream, group } = this.options;
    try {
      await this.redis.xGroupCreate(stream, group, '0', { MKSTREAM: true });
    } catch (error) {
      if (!errorMessage(error).includes('BUSYGROUP')) throw error;
    }
  }

  /** `>` for new entries (blocking up to blockMs), or an id to re-read this consumer's own pending ones after it. */
  async read(after: string, blockMs: number): Promise<Claimed> {
    const { stream, group, consumer, batchSize } = this.options;
    const reply = (await this.reader.xReadGroup(
      group,
      consumer,
      { key: stream, id: after },
      { COUNT: batchSize, ...(after === '>' ? { BLOCK: blockMs } : {}) },
    )) as { messages?: unknown[] }[] | null;
    return toEntries(reply?.[0]?.messages);
  }

  /** Entries idle past claimIdleMs at any consumer of the group, this one included; one delivery more each. */
  async claimIdle(start: string): Promise<Claimed & { next: string }> {
    const { stream, group, consumer, claimIdleMs, batchSize } = this.options;
    const reply = await this.redis.xAutoClaim(stream, group, consumer, claimIdleMs, start, { COUNT: batchSize });
    const { entries, deletedIds } = toEntries(reply.messages);
    return { entries, deletedIds: [...deletedIds, ...reply.deletedMessages.map(String)], next: String(reply.nextId) };
  }

  async acknowledge(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.redis.xAck(this.options.stream, this.options.group, ids);
  }

  /** How often the group has delivered the entry, this delivery included. */
  async deliveries(id: string): Promise<number> {
    const { stream, group } = this.options;
    const [pending] = await this.redis.xPendingRange(stream, group, id, id, 1);
    return Number(pending?.deliveriesCounter ?? 1);
  }
}
