import winston from 'winston';
import safeStringify from 'safe-stable-stringify';
import { BufferedStdout } from './buffered-stdout';
import { currentContext } from './context';

export type Logger = winston.Logger;

const MESSAGE = Symbol.for('message');

/** For a line JSON.stringify refuses (a cycle, a BigInt): bigints as strings, as winston's json format wrote them. */
const bigintAsString = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * The context in hand, the time, and the line as JSON, in one format. winston's own (timestamp, json)
 * cost twice as much a line, most of it in a stringifier that sorts the keys and copes with cycles: at a
 * line per event a worker spent a tenth of its CPU there (docs/performance.md). The native
 * JSON.stringify writes almost every line; one it throws on falls back to the safe one.
 */
const jsonLine = winston.format((info) => {
  Object.assign(info, currentContext());
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

/** One JSON line per event, with the service and whatever request or event is in hand. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    defaultMeta: { service },
    format: winston.format.combine(winston.format.errors({ stack: true }), jsonLine()),
    transports: [new BufferedStdout()],
  });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
