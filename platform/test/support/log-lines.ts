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

/** Resolves once a line from index `from` on matches (or after 10 s, for the test's own assertion to fail on). */
export async function waitForLine(lines: LogLine[], pattern: RegExp, from = 0): Promise<void> {
  const matches = () => lines.slice(from).some((line) => pattern.test(line.message));
  for (let i = 0; i < 200 && !matches(); i++) await new Promise((r) => setTimeout(r, 50));
}
