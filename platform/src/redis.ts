import type { Logger } from './logger';
import { OutageLog, clusterClientReporting, nodeClientReporting, sentinelClientReporting } from './redis-clients';
import type { RedisClient } from './redis-clients';
import type { RedisConnection } from './redis-options';

/** How long a Redis command may go unanswered before the connection counts as stalled. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 2_000;

export interface RedisOptions {
  /** A URL, or a whole connection (topology, credentials, TLS and its CA) as redisConnectionOf makes it. */
  url: string | RedisConnection;
  logger: Logger;
  name: string;
  /**
   * APIs fail fast: while Redis is away a command fails at once instead of queueing.
   * Workers wait: commands queue until the connection is back.
   */
  failFast: boolean;
  /**
   * A connection that leaves a command unanswered this long is stalled (a stopped or partitioned server
   * keeps the socket open and answers nothing) and is treated as lost: closed, its commands failed, and
   * opened again. A client whose commands block on purpose (XREADGROUP BLOCK) needs more than they block.
   * One node only: on Sentinel and Cluster the topology fails a stopped primary over, and the client follows.
   */
  commandTimeoutMs?: number;
  /** False for a command-line tool: a connection that fails is not retried. */
  reconnect?: boolean;
}

const commandTimeouts = new WeakMap<object, number>();

/**
 * A client of the topology the connection names. Reconnects forever with a capped backoff (unless
 * `reconnect` is false); logs each outage once when it starts (lost, stalled) and once when it ends, not
 * once per retry. Every client emits 'ready' whenever its connection to the primary is ready again (a
 * Cluster: any node's), which is when a relay checks the stream for loss.
 */
export function createRedisClient({
  url,
  logger,
  name,
  failFast,
  commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  reconnect = true,
}: RedisOptions): RedisClient {
  const connection = typeof url === 'string' ? { url } : url;
  const settings = { connection, name, failFast, reconnect };
  const outages = new OutageLog(logger, name);
  const made: RedisClient =
    'cluster' in connection
      ? clusterClientReporting(connection.cluster.nodes, settings, outages)
      : 'sentinel' in connection
        ? sentinelClientReporting(connection.sentinel, settings, outages, logger)
        : watchedForStalls(nodeClientReporting(connection.url, settings, outages), commandTimeoutMs, outages);
  commandTimeouts.set(made, commandTimeoutMs);
  return made;
}

/** One node's client, closed and opened again when it stops answering (see watchForStalls). */
function watchedForStalls<T extends Pingable & { destroy(): void; connect(): Promise<unknown> }>(
  client: T,
  commandTimeoutMs: number,
  outages: OutageLog,
): T {
  watchForStalls(client, commandTimeoutMs, () => {
    outages.wentDown('redis not answering; reconnecting', { timeoutMs: commandTimeoutMs });
    // node-redis drops a command's deadline once it is written: only closing the socket fails the commands
    // waiting on it. The new connection's handshake waits for the server meanwhile, so that commands fail
    // fast (APIs) or queue (workers) until it answers.
    client.destroy();
    client.connect().catch(() => undefined);
  });
  return client;
}

interface Pingable {
  isOpen: boolean;
  isReady: boolean;
  ping(): Promise<unknown>;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Pings every quarter of `timeoutMs` while the client is ready; a ping left unanswered for `timeoutMs`
 * calls `onStall`. So no command waits much past `timeoutMs` (1.25 × at most) on a server that stopped
 * answering. The wait is counted in the loop's own time: each tick adds at most one interval, however
 * long it came late, since a loop busy with synchronous work (a spawnSync, a large parse, a GC pause)
 * reads no socket meanwhile, and the answer may be waiting there. Stops once the client is closed by its
 * owner.
 */
function watchForStalls(client: Pingable, timeoutMs: number, onStall: () => void): void {
  const intervalMs = Math.max(25, Math.floor(timeoutMs / 4));
  let timer: NodeJS.Timeout | undefined;
  let ping: { waitedMs: number } | undefined;
  let lastTick = performance.now();
  const tick = () => {
    const now = performance.now();
    const sinceLastTick = Math.min(now - lastTick, intervalMs);
    lastTick = now;
    if (!client.isOpen) {
      clearInterval(timer);
      timer = undefined;
      return;
    }
    if (!client.isReady) {
      ping = undefined;
      return;
    }
    if (ping === undefined) {
      const sent = (ping = { waitedMs: 0 });
      const answered = () => {
        if (ping === sent) ping = undefined;
      };
      client.ping().then(answered, answered);
      return;
    }
    ping.waitedMs += sinceLastTick;
    if (ping.waitedMs >= timeoutMs) {
      ping = undefined;
      onStall();
    }
  };
  client.on('ready', () => {
    if (timer) return;
    lastTick = performance.now();
    timer = setInterval(tick, intervalMs);
    timer.unref();
  });
}

/** Whether Redis answers a PING within the client's command timeout: what readiness reports. */
export async function redisAnswers(client: RedisClient): Promise<boolean> {
  if (!client.isReady) return false;
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    deadline = setTimeout(() => resolve(false), commandTimeouts.get(client) ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      client.ping().then(
        () => true,
        () => false,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(deadline);
  }
}
