// The stall watchdog must tell a server that stopped answering from a process whose own event loop was
// busy: after a long synchronous stretch (spawnSync, a big JSON.parse) the timers run before the sockets
// are read, so a PING answered meanwhile looks unanswered for a moment. That must not cost a reconnect.
import { createLogger, createRedisClient } from '../src';
import { captureLogLines } from './support/log-lines';
import { TEST_REDIS_URL } from './support/redis-client';
import { waitFor } from './support/wait';

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('a loop blocked past the command timeout, again and again, with Redis answering: no stall, no reconnect', async () => {
  const logger = createLogger('platform-test', 'info');
  const lines = captureLogLines(logger);
  const redis = createRedisClient({ url: TEST_REDIS_URL, logger, name: 'watchdog-test', failFast: true, commandTimeoutMs: 100 });
  await redis.connect();
  try {
    // Blocks of 150 ms (over the timeout) every 20 ms: the watchdog's pings (every 25 ms) go out right
    // before blocks, their answers are read after. Ten of them, counted.
    let blocks = 0;
    const blocker = setInterval(() => {
      busyFor(150);
      blocks++;
    }, 20);
    await waitFor('ten blocks of the loop', () => blocks >= 10);
    clearInterval(blocker);
    expect(await redis.ping()).toBe('PONG');
    expect(lines.filter((line) => /redis/.test(line.message))).toEqual([]);
  } finally {
    await redis.close();
  }
});
