import type { ConsumptionState } from '@stockstream/contracts';
import type { RedisClient } from '@stockstream/platform';

/**
 * Consumption of the product stream, paused and resumed by an operator (or by the workers themselves),
 * kept in Redis beside the stream (`<stream>:consumption`), so that it outlives worker restarts and every
 * worker of the group reads the same. Workers look at it once a claim interval.
 */
export class ConsumptionSwitch {
  readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    stream: string,
  ) {
    this.key = `${stream}:consumption`;
  }

  async state(): Promise<ConsumptionState> {
    const fields = await this.redis.hGetAll(this.key);
    if (fields.paused !== '1') return { paused: false, reason: null, by: null, at: null };
    return { paused: true, reason: fields.reason || null, by: fields.by || null, at: fields.at || null };
  }

  /** Pauses consumption; pausing again keeps the first pause's reason, actor and time. */
  async pause({ reason, by }: { reason?: string; by: string }): Promise<ConsumptionState> {
    await this.redis
      .multi()
      .hSetNX(this.key, 'at', new Date().toISOString())
      .hSetNX(this.key, 'by', by)
      .hSetNX(this.key, 'reason', reason ?? '')
      .hSet(this.key, 'paused', '1')
      .exec();
    return this.state();
  }

  async resume(): Promise<ConsumptionState> {
    await this.redis.del(this.key);
    return this.state();
  }
}
