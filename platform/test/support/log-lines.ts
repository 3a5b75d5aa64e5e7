import { PassThrough } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../src/logger';
import { waitFor } from './wait';

export interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

/** Sends the logger's lines (JSON, as the services write them) into an array the test reads, even from a logger made silent (LOG_LEVEL=silent in tests). */
export function captureLogLines(logger: Logger): LogLine[] {
  const lines: LogLine[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((line) => lines.push(JSON.parse(line) as LogLine)),
  );
  logger.silent = false;
  logger.clear().add(new winston.transports.Stream({ stream: sink }));
  return lines;
}

/** Resolves with the first line from index `from` on whose message matches; fails after 10 s. */
export function waitForLine(lines: LogLine[], pattern: RegExp, from = 0): Promise<LogLine> {
  return waitFor(`a log line matching ${pattern}`, () => lines.slice(from).find((line) => pattern.test(line.message)), 10_000);
}
