// The first import of main.ts: the process's logger, and tracing, started before any other module makes
// a span. Off without OTEL_EXPORTER_OTLP_ENDPOINT.
import { createLogger, startTracing } from '@stockstream/platform';

export const logger = createLogger('inventory-worker');
export const tracing = startTracing('inventory-worker', logger);
