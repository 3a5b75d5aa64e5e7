import { Counter, Gauge, Histogram, brokerResetsCounter } from '@stockstream/platform';
import type { BrokerObserver } from './broker-watch';
import type { Registry } from '@stockstream/platform';

export interface RelayObserver extends BrokerObserver {
  /** Seconds from each event's commit to its XADD. */
  published(latenciesSeconds: number[]): void;
  /** Unread entries the stream's hard cap dropped. */
  droppedUnread(count: number): void;
}

/** outbox_backlog (read at scrape) and outbox_publish_latency_seconds. */
export function outboxMetrics(registry: Registry, backlog: () => Promise<number>): RelayObserver {
  new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox events committed and not yet published',
    registers: [registry],
    async collect() {
      this.set(await backlog());
    },
  });
  const latency = new Histogram({
    name: 'outbox_publish_latency_seconds',
    help: 'Time from the commit of a change to the XADD of its event',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300],
    registers: [registry],
  });
  const resets = brokerResetsCounter(registry);
  const dropped = new Counter({
    name: 'stream_unread_entries_dropped_total',
    help: 'Unread entries dropped to keep the stream under its hard cap (STREAM_MAXLEN); reconcile repairs their products',
    registers: [registry],
  });
  const deadLettersLost = new Counter({
    name: 'dead_letters_lost_total',
    help: 'Dead letters a broker reset took with it (at least); reconcile --repair restores their products',
    registers: [registry],
  });
  return {
    published(latenciesSeconds) {
      for (const seconds of latenciesSeconds) latency.observe(seconds);
    },
    brokerReset(reason) {
      resets.inc({ detected_by: 'relay', reason });
    },
    deadLettersLost(count) {
      deadLettersLost.inc(count);
    },
    droppedUnread(count) {
      if (count > 0) dropped.inc(count);
    },
  };
}
