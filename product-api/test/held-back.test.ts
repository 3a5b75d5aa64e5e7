// The relay's second look when committed events wait behind an older transaction (docs/decisions/0009).
import { createLogger } from '@stockstream/platform';
import { captureLogLines } from '../../platform/test/support/log-lines';
import { HeldBack } from '../src/relay/held-back';

// The log lines travel through a stream: its ticks stay real.
beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
const written = () => new Promise((resolve) => setImmediate(resolve));
afterEach(() => jest.useRealTimers());

test('looks again soon, then less often while one transaction holds the horizon; a long hold is logged when seen and when over', async () => {
  const logger = createLogger('held-back-test', 'info');
  const lines = captureLogLines(logger);
  const started = Date.now();
  const looks: number[] = [];
  // An xid8 past the first wraparound: the log line gives it as pg_stat_activity shows it (32 bits).
  let horizon = String(2 ** 32 + 100);
  // Each look is a relay pass that finds the same rows still waiting.
  const heldBack: HeldBack = new HeldBack(logger, 1_000, () => {
    looks.push(Date.now() - started);
    heldBack.passed(true, horizon);
  });

  heldBack.passed(true, horizon);
  jest.advanceTimersByTime(12_000);
  const gaps = looks.map((at, i) => at - (looks[i - 1] ?? 0));
  expect(gaps.slice(0, 10)).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 1_000]);
  expect(new Set(gaps.slice(10))).toEqual(new Set([1_000]));
  await written();
  expect(lines.map((line) => [line.level, line.message, line.backendXid])).toEqual([
    ['warn', 'outbox events wait for a long transaction to end', '100'],
  ]);

  // The transaction ends; a younger one holds the horizon now: logged as over, looked at soon again.
  horizon = String(2 ** 32 + 101);
  const before = looks.length;
  heldBack.passed(true, horizon);
  jest.advanceTimersByTime(2);
  expect(looks).toHaveLength(before + 1);
  await written();
  expect(lines.at(-1)).toMatchObject({ level: 'info', message: 'the long transaction ended; outbox events flow again' });

  // Nothing waits any more: no more looks.
  heldBack.passed(false, '102');
  jest.advanceTimersByTime(60_000);
  expect(looks).toHaveLength(before + 1);
  await written();
  expect(lines).toHaveLength(2);
});
