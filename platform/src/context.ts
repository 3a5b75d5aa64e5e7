import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of the work in hand carries: the request, or the event and its stream entry. */
export interface LogContext {
  requestId?: string;
  eventId?: string;
  streamId?: string;
  correlationId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithContext<T>(context: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, work);
}

export function currentContext(): LogContext {
  return storage.getStore() ?? {};
}

/** Runs work that belongs to no request or event (a background loop started by one). */
export function runOutsideContext<T>(work: () => T): T {
  return storage.exit(work);
}
