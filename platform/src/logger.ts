import winston from 'winston';
import safeStringify from 'safe-stable-stringify';
import { BufferedStdout } from './buffered-stdout';
import { currentContext } from './context';
import { traceFields, tracingEnabled } from './tracing';

export type Logger = winston.Logger;

const MESSAGE = Symbol.for('message');

/** For a line JSON.stringify refuses (a cycle, a BigInt): bigints as strings, as winston's json format wrote them. */
const bigintAsString = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * The context in hand, the time, and the line as JSON, in one format. winston's own (timestamp, json)
 * cost twice as much a line, most of it in a stringifier that sorts the keys and copes with cycles: at a
 * line per event a worker spent a tenth of its CPU there (bench/history/2026-11-performance-notebook.md). The native
 * JSON.stringify writes almost every line; one it throws on falls back to the safe one.
 */
const jsonLine = winston.format((info) => {
  Object.assign(info, currentContext());
  // A line written inside a span carries its trace_id and span_id (a line given them keeps its own).
  if (tracingEnabled() && info.trace_id === undefined) Object.assign(info, traceFields());
  info.timestamp ??= new Date().toISOString();
  let line: string;
  try {
    line = JSON.stringify(info);
  } catch {
    line = safeStringify(info, bigintAsString) ?? '{}';
  }
  (info as Record<symbol, unknown>)[MESSAGE] = line;
  return info;
});

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

/**
 * One JSON line per event, with the service and whatever request or event is in hand. A process makes
 * its logger before its config (so that a bad config is logged) and sets the level from it after.
 */
export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  const logger = winston.createLogger({
    defaultMeta: { service },
    format: winston.format.combine(winston.format.errors({ stack: true }), jsonLine()),
    transports: [new BufferedStdout()],
  });
  setLogLevel(logger, level);
  return logger;
}

export function setLogLevel(logger: Logger, level: LogLevel): void {
  logger.level = level === 'silent' ? 'error' : level;
  logger.silent = level === 'silent';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
