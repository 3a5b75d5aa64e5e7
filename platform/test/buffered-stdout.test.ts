// Log lines are batched to stdout, in order, none is lost when the process exits at once, and none is dropped for what it holds.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const logger = path.join(__dirname, '..', 'dist', 'logger.js');

function runLogging(script: string): { status: number | null; lines: Record<string, unknown>[] } {
  const run = spawnSync(process.execPath, ['-e', `const { createLogger } = require(${JSON.stringify(logger)}); ${script}`], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  return {
    status: run.status,
    lines: run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

test('every line arrives, in order, one JSON object a line, with the service', () => {
  const { lines } = runLogging(`const log = createLogger('svc'); for (let i = 0; i < 5000; i++) log.info('line', { i });`);
  expect(lines).toHaveLength(5000);
  expect(lines.map((line) => line.i)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  expect(lines[0]).toMatchObject({ service: 'svc', level: 'info', message: 'line' });
});

test('lines logged right before process.exit are written, not lost in the buffer', () => {
  const { status, lines } = runLogging(`const log = createLogger('svc'); log.error('failed to start', { why: 'test' }); process.exit(1);`);
  expect(status).toBe(1);
  expect(lines).toEqual([expect.objectContaining({ message: 'failed to start', why: 'test', level: 'error' })]);
});

test('a line that plain JSON cannot hold (a cycle, a BigInt) is still written, not dropped or thrown', () => {
  const { status, lines } = runLogging(
    `const log = createLogger('svc'); const order = { id: 7 }; order.self = order; log.warn('odd meta', { order, count: 10n }); log.info('after');`,
  );
  expect(status).toBe(0);
  expect(lines).toEqual([
    expect.objectContaining({ message: 'odd meta', order: { id: 7, self: '[Circular]' }, count: '10' }),
    expect.objectContaining({ message: 'after' }),
  ]);
});
