import { SpanKind, SpanStatusCode, TraceFlags, context, propagation, trace } from '@opentelemetry/api';
import type { Context, Link, Span, SpanContext } from '@opentelemetry/api';
import { TRACEPARENT } from '@stockstream/contracts';

export { SpanKind, SpanStatusCode, context as otelContext };
export type { Context as OtelContext, Link, Span };

/**
 * Whether this process sends spans: set by startTracing once an SDK runs. Off (no endpoint, or
 * OTEL_SDK_DISABLED), every helper here returns at its first line, so tracing off costs a branch.
 */
let enabled = false;

export function setTracingEnabled(value: boolean): void {
  enabled = value;
}

export function tracingEnabled(): boolean {
  return enabled;
}

export const tracer = () => trace.getTracer('stockstream');

/** The W3C traceparent of the active span, to store with what the work causes (an outbox event); none when off. */
export function currentTraceparent(): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a traceparent (and tracestate) names, as a parent or a link; the root context for none or a malformed one. */
export function contextFrom(headers: { traceparent?: string | undefined; tracestate?: string | undefined }): Context {
  const carrier: Record<string, string> = {};
  if (headers.traceparent) carrier.traceparent = headers.traceparent;
  if (headers.tracestate) carrier.tracestate = headers.tracestate;
  return propagation.extract(context.active(), carrier);
}

/** The span context a traceparent names, valid or undefined. */
export function spanContextFrom(traceparent: string | undefined): SpanContext | undefined {
  if (!traceparent) return undefined;
  const spanContext = trace.getSpanContext(contextFrom({ traceparent }));
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * trace_id and span_id of a span (the active one by default), for a log line; empty when off, outside a
 * span, or in one that is not sampled (its trace goes nowhere).
 */
export function traceFields(span: Span | undefined = enabled ? trace.getActiveSpan() : undefined): { trace_id?: string; span_id?: string } {
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return traceFlags & TraceFlags.SAMPLED ? { trace_id: traceId, span_id: spanId } : {};
}

/** The trace id a traceparent carries (for pages that link to a trace UI); undefined for none or a malformed one. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent !== undefined && TRACEPARENT.test(traceparent) ? traceparent.split('-')[1] : undefined;
}

/** Ends a span with an error status when the work threw. */
export function endWithError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : new Error(String(error)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}

/** Runs work with the span as the active one: what it starts (a query, a log line) is inside it. */
export function activeIn<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}
