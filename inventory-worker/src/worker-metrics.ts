import { Counter, Gauge, Histogram, brokerResetsCounter } from '@stockstream/platform';
import type { RedisClient, Registry } from '@stockstream/platform';
import type { ConsumerObserver, ConsumerOptions } from './consumer/consumer-options';

/**
 * The worker's metrics: what it handled (by type and outcome), how long batches took and how its loop
 * fares, counted as it goes; the group's lag and pending entries and the dead-letter stream's length,
 * read from Redis at scrape.
 */
export function workerMetrics(registry: Registry, redis: RedisClient, options: ConsumerOptions): ConsumerObserver {
  const { stream, group, deadLetterStream } = options;
  const handled = new Counter({
    name: 'events_handled_total',
    help: 'Stream entries handled, by event type and outcome (processed, stale, duplicate, retried, dead-lettered, held)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'batch_duration_seconds',
    help: 'Time to handle and acknowledge one batch of entries',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const lastRead = new Gauge({
    name: 'consumer_last_read_timestamp_seconds',
    help: 'When the consumer last completed a read of the stream (Unix time)',
    registers: [registry],
  });
  const loopErrors = new Counter({
    name: 'consumer_loop_errors_total',
    help: 'Errors in the consumer loop (read, claim, apply, acknowledge, dead-letter); each is retried',
    registers: [registry],
  });
  const paused = new Gauge({
    name: 'consumer_paused',
    help: '1 while consumption of the stream is paused (by an operator or the kill switch), else 0',
    registers: [registry],
  });
  const killSwitchTrips = new Counter({
    name: 'consumer_kill_switch_trips_total',
    help: 'Times this worker paused consumption because most applies failed (KILL_SWITCH_*)',
    registers: [registry],
  });
  const claimRounds = new Counter({
    name: 'consumer_claim_rounds_total',
    help: 'Rounds of claiming entries left idle by any consumer (XAUTOCLAIM), one every CLAIM_INTERVAL_MS',
    registers: [registry],
  });
  const claimedEntries = new Counter({
    name: 'consumer_claimed_entries_total',
    help: 'Entries this consumer claimed from another (or from itself, after a failure)',
    registers: [registry],
  });
  const resets = brokerResetsCounter(registry);
  new Gauge({
    name: 'consumer_group_lag',
    help: 'Entries in the stream not yet delivered to the consumer group (XINFO GROUPS lag)',
    registers: [registry],
    async collect() {
      const info = (await redis.xInfoGroups(stream)).find((one) => String(one.name) === group);
      const lag = info?.lag;
      if (typeof lag === 'number') this.set(lag);
      else this.reset();
    },
  });
  new Gauge({
    name: 'consumer_group_pending',
    help: 'Entries delivered to the group and not yet acknowledged (XPENDING)',
    registers: [registry],
    async collect() {
      this.set(Number((await redis.xPending(stream, group)).pending));
    },
  });
  new Gauge({
    name: 'consumer_group_oldest_pending_idle_seconds',
    help: 'Idle time of the oldest pending entry of the group; 0 when none is pending',
    registers: [registry],
    async collect() {
      const [oldest] = await redis.xPendingRange(stream, group, '-', '+', 1);
      this.set(oldest ? Number(oldest.millisecondsSinceLastDelivery) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'consumer_group_consumers',
    help: 'Consumers registered in the group (XINFO CONSUMERS); stays bounded as workers restart',
    registers: [registry],
    async collect() {
      this.set((await redis.xInfoConsumers(stream, group)).length);
    },
  });
  new Gauge({
    name: 'dead_letter_stream_length',
    help: 'Entries in the dead-letter stream',
    registers: [registry],
    async collect() {
      this.set(await redis.xLen(deadLetterStream));
    },
  });
  return {
    handled: (type, outcome) => handled.inc({ type, outcome }),
    batch: (durationMs) => batch.observe(durationMs / 1000),
    read: () => lastRead.set(Date.now() / 1000),
    loopError: () => loopErrors.inc(),
    paused: (isPaused) => paused.set(isPaused ? 1 : 0),
    killSwitchTripped: () => killSwitchTrips.inc(),
    claimRound: (claimed) => {
      claimRounds.inc();
      if (claimed > 0) claimedEntries.inc(claimed);
    },
    brokerReset: (reason) => resets.inc({ detected_by: 'worker', reason }),
  };
}
