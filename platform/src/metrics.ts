import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/** One Prometheus registry per process, with Node's default metrics and the service name as a label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Times the stream or its consumer group was found lost (Redis restarted empty, failed over, was flushed,
 * a key deleted), counted by the process that found it (relay or worker) and what it found; one metric
 * for both, so that one alert covers them.
 */
export function brokerResetsCounter(registry: Registry): Counter<'detected_by' | 'reason'> {
  return new Counter({
    name: 'stockstream_broker_resets_total',
    help: 'Times the stream or the consumer group was found lost (Redis restarted empty, failed over, was flushed…) and started over',
    labelNames: ['detected_by', 'reason'] as const,
    registers: [registry],
  });
}
