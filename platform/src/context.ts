import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What every log line of the work in hand carries: the event, its stream entry and the request that
 * caused it. Only the worker enters it (HTTP requests hand their id to their lines: ADR 7).
 */
export interface LogContext {
  requestId?: string;
  eventId?: string;
  streamId?: string;
  correlationId?: string;
  /** The event's span, when tracing runs: lines about the event find its trace. */
  trace_id?: string;
  span_id?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithContext<T>(context: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, work);
}

export function currentContext(): LogContext {
  return storage.getStore() ?? {};
}
