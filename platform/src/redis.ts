import { createClient, createCluster, createSentinel } from '@redis/client';
import type { Logger } from './logger';
import { nodeOptionsOf } from './redis-options';
import type { RedisConnection } from './redis-options';

/** A client of one node, of a primary found through sentinels, or of a Cluster: the same commands on each. */
export type RedisClient = ReturnType<typeof nodeClient> | ReturnType<typeof clusterClient> | ReturnType<typeof sentinelClient>;

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
   */
  commandTimeoutMs?: number;
  /** False for a command-line tool: a connection that fails is not retried. */
  reconnect?: boolean;
}

interface ClientSettings {
  connection: RedisConnection;
  name: string;
  failFast: boolean;
  reconnect: boolean;
}

/** What every node connection of a client shares: credentials, TLS, its name, RESP2, the offline queue and the backoff. */
function nodeSettings({ connection, name, failFast, reconnect }: ClientSettings) {
  const { socket, ...login } = nodeOptionsOf(connection);
  return {
    ...login,
    name,
    RESP: 2 as const,
    // No CLIENT SETINFO in the handshake: one command less for a least-privilege user (and Redis < 7.2 has none).
    disableClientInfo: true,
    disableOfflineQueue: failFast,
    socket: {
      ...socket,
      connectTimeout: 2_000,
      reconnectStrategy: reconnect ? (retries: number) => Math.min(50 * 2 ** retries, 2_000) : (false as const),
    },
  };
}

function nodeClient(url: string, settings: ClientSettings) {
  return createClient({ ...nodeSettings(settings), url });
}

function clusterClient(nodes: { host: string; port: number }[], settings: ClientSettings) {
  return createCluster({
    rootNodes: nodes.map((address) => ({ socket: address })),
    defaults: nodeSettings(settings),
    RESP: 2,
  });
}

function sentinelClient(
  sentinel: { nodes: { host: string; port: number }[]; master: string; username?: string; password?: string },
  settings: ClientSettings,
) {
  const { socket } = nodeSettings(settings);
  return createSentinel({
    name: sentinel.master,
    sentinelRootNodes: sentinel.nodes,
    nodeClientOptions: nodeSettings(settings),
    sentinelClientOptions: {
      ...(sentinel.username === undefined ? {} : { username: sentinel.username }),
      ...(sentinel.password === undefined ? {} : { password: sentinel.password }),
      socket,
    },
    RESP: 2,
  });
}

const commandTimeouts = new WeakMap<object, number>();

/**
 * The errors a Redis client reported as its connection failing. node-redis rejects the commands in flight
 * with the same error (a bare socket error, `read ECONNRESET`, that says nothing of whose socket it was),
 * after its 'error' event: kept here, the error is known to be Redis's.
 */
const connectionErrors = new WeakSet<object>();

/** Whether a Redis client reported this error as its connection failing. */
export function isRedisConnectionError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && connectionErrors.has(error);
}

const remember = (error: unknown) => {
  if (typeof error === 'object' && error !== null) connectionErrors.add(error);
};

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
  let down = false;
  const wentDown = (message: string, fields: Record<string, unknown>) => {
    if (down) return;
    down = true;
    logger.warn(message, { redis: name, ...fields });
  };
  const back = () => {
    if (down) logger.info('redis connection back', { redis: name });
    down = false;
  };
  const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
  if ('cluster' in connection) {
    const client = clusterClient(connection.cluster.nodes, settings);
    commandTimeouts.set(client, commandTimeoutMs);
    // Without 'error' listeners node-redis errors would crash the process.
    client.on('error', (error: unknown) => {
      remember(error);
      wentDown('redis connection lost', { error: errorText(error) });
    });
    client.on('node-error', (error: unknown, node: { host?: string; port?: number }) => {
      remember(error);
      wentDown('redis connection lost', { error: errorText(error), node: `${node.host}:${node.port}` });
    });
    client.on('node-ready', () => {
      back();
      client.emit('ready');
    });
    return client;
  }
  if ('sentinel' in connection) {
    const client = sentinelClient(connection.sentinel, settings);
    commandTimeouts.set(client, commandTimeoutMs);
    client.on('error', (error: unknown) => {
      remember(error);
      remember((error as { cause?: unknown }).cause);
      wentDown('redis connection lost', { error: errorText(error) });
    });
    client.on('ready', back);
    // The sentinels name the primary once at start (info) and again after each failover (one warning).
    let primary: string | undefined;
    client.on('topology-change', (event: { type: string; node?: { host: string; port: number } }) => {
      if (event.type !== 'MASTER_CHANGE' || !event.node) return;
      const next = `${event.node.host}:${event.node.port}`;
      if (primary === undefined) logger.info('redis primary found through the sentinels', { redis: name, primary: next });
      else if (primary !== next) logger.warn('redis primary changed', { redis: name, from: primary, primary: next });
      primary = next;
    });
    return client;
  }
  const client = nodeClient(connection.url, settings);
  commandTimeouts.set(client, commandTimeoutMs);
  client.on('error', (error: Error) => {
    remember(error);
    wentDown('redis connection lost', { error: error.message });
  });
  client.on('ready', back);
  watchForStalls(client, commandTimeoutMs, () => {
    wentDown('redis not answering; reconnecting', { timeoutMs: commandTimeoutMs });
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
