import { diag, DiagLogLevel } from '@opentelemetry/api';
import { maskUrl } from './config';
import type { Logger } from './logger';
import { setTracingEnabled } from './tracing';

export interface Tracing {
  enabled: boolean;
  /** Sends what is buffered and stops; for the process's shutdown. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/** Why tracing stays off, from the standard variables; undefined when it runs. */
export function tracingOffReason(env: NodeJS.ProcessEnv): string | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return 'OTEL_SDK_DISABLED is true';
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return 'no OTEL_EXPORTER_OTLP_ENDPOINT';
  return undefined;
}

/**
 * OpenTelemetry for one process, configured by the standard variables only: OTEL_EXPORTER_OTLP_ENDPOINT
 * (or _TRACES_ENDPOINT), OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf, the default, or http/json),
 * OTEL_SERVICE_NAME (the deployable's name by default), OTEL_TRACES_SAMPLER and _ARG, OTEL_BSP_*,
 * OTEL_SDK_DISABLED. Without an endpoint nothing is loaded past the API (a no-op). With one: a batch
 * span processor and an OTLP/HTTP exporter, W3C trace context and the AsyncLocalStorage context manager.
 * Statements are spans by the pool's own hook (prisma/src/query-spans.ts), Prisma's too.
 */
export function startTracing(service: string, logger: Logger, env: NodeJS.ProcessEnv = process.env): Tracing {
  const off = tracingOffReason(env);
  if (off) return OFF;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing runs */
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    logger.warn('tracing off: OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json', { protocol });
    return OFF;
  }
  const exporter =
    protocol === 'http/json'
      ? new (
          require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')
        ).OTLPTraceExporter()
      : new (
          require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto')
        ).OTLPTraceExporter();
  /* eslint-enable @typescript-eslint/no-require-imports */
  // The SDK's own complaints (an exporter that cannot send) as warnings in our log, not on the console.
  diag.setLogger(
    {
      error: (message) => logger.warn('tracing', { detail: message }),
      warn: (message) => logger.warn('tracing', { detail: message }),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || service }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  setTracingEnabled(true);
  logger.info('tracing on', {
    endpoint: maskUrl(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? ''),
    protocol,
    serviceName: env.OTEL_SERVICE_NAME || service,
    sampler: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
  });
  return {
    enabled: true,
    shutdown: async () => {
      await provider.shutdown();
      setTracingEnabled(false);
    },
  };
}
