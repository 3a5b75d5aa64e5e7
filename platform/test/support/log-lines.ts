import { PassThrough } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../src/logger';

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

/** Resolves once a line matches (or after 10 s, for the test's own assertion to fail on). */
export async function waitForLine(lines: LogLine[], pattern: RegExp): Promise<void> {
  for (let i = 0; i < 200 && !lines.some((line) => pattern.test(line.message)); i++) await new Promise((r) => setTimeout(r, 50));
}
