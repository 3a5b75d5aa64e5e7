import winston from 'winston';
import { BufferedStdout } from './buffered-stdout';
import { currentContext } from './context';

export type Logger = winston.Logger;

const withContext = winston.format((info) => Object.assign(info, currentContext()));

/** One JSON line per event, with the service and whatever request or event is in hand. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    defaultMeta: { service },
    format: winston.format.combine(
      withContext(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new BufferedStdout()],
  });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
