import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { routeTemplate } from './http/route-template';

export { Counter, Gauge, Histogram, Registry };

/** One Prometheus registry per process, with Node's default metrics and the service name as a label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Request durations by method, route template (not the raw path) and status. */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (req, res, next) => {
    const stop = duration.startTimer();
    res.on('finish', () => {
      stop({ method: req.method, route: routeTemplate(req), status: String(res.statusCode) });
    });
    next();
  };
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

export function metricsRoute(registry: Registry): RequestHandler {
  return async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
}
