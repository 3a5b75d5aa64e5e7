// The three kinds of node-redis client (one node, Sentinel, Cluster) made from one set of settings, each
// with its outages reported the same way: once when the connection goes, once when it is back.
import { createClient, createCluster, createSentinel } from '@redis/client';
import type { Logger } from './logger';
import { nodeOptionsOf } from './redis-options';
import type { RedisAddress, RedisConnection } from './redis-options';

/** A client of one node, of a primary found through sentinels, or of a Cluster: the same commands on each. */
export type RedisClient = ReturnType<typeof nodeClient> | ReturnType<typeof clusterClient> | ReturnType<typeof sentinelClient>;

export interface ClientSettings {
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

function clusterClient(nodes: RedisAddress[], settings: ClientSettings) {
  return createCluster({
    rootNodes: nodes.map((address) => ({ socket: address })),
    defaults: nodeSettings(settings),
    RESP: 2,
  });
}

function sentinelClient(
  sentinel: { nodes: RedisAddress[]; master: string; username?: string; password?: string },
  settings: ClientSettings,
) {
  const nodeClientOptions = nodeSettings(settings);
  return createSentinel({
    name: sentinel.master,
    sentinelRootNodes: sentinel.nodes,
    nodeClientOptions,
    sentinelClientOptions: {
      ...(sentinel.username === undefined ? {} : { username: sentinel.username }),
      ...(sentinel.password === undefined ? {} : { password: sentinel.password }),
      // TLS, its CA, the timeouts and the backoff as the nodes'; their own login.
      socket: nodeClientOptions.socket,
    },
    RESP: 2,
  });
}

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

/** How a client reports an outage: one line when it starts, one when it ends, however many retries between. */
export class OutageLog {
  private down = false;

  constructor(
    private readonly logger: Logger,
    private readonly name: string,
  ) {}

  wentDown(message: string, fields: Record<string, unknown>): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(message, { redis: this.name, ...fields });
  }

  back(): void {
    if (this.down) this.logger.info('redis connection back', { redis: this.name });
    this.down = false;
  }

  lost(error: unknown, fields: Record<string, unknown> = {}): void {
    remember(error);
    this.wentDown('redis connection lost', { error: error instanceof Error ? error.message : String(error), ...fields });
  }
}

/** A Cluster's client: a node's error is an outage; a node ready again is 'ready' (the relay's cue to check the stream). */
export function clusterClientReporting(nodes: RedisAddress[], settings: ClientSettings, outages: OutageLog) {
  const client = clusterClient(nodes, settings);
  // Without 'error' listeners node-redis errors would crash the process.
  client.on('error', (error: unknown) => outages.lost(error));
  client.on('node-error', (error: unknown, node: RedisAddress) => outages.lost(error, { node: `${node.host}:${node.port}` }));
  client.on('node-ready', () => {
    outages.back();
    client.emit('ready');
  });
  return client;
}

/** A Sentinel client: the primary the sentinels name is logged once at start and once after each failover. */
export function sentinelClientReporting(
  sentinel: Parameters<typeof sentinelClient>[0],
  settings: ClientSettings,
  outages: OutageLog,
  logger: Logger,
) {
  const client = sentinelClient(sentinel, settings);
  client.on('error', (error: unknown) => {
    // It wraps a node's error in one of its own, the node's as the cause.
    remember((error as { cause?: unknown }).cause);
    outages.lost(error);
  });
  client.on('ready', () => outages.back());
  let primary: string | undefined;
  client.on('topology-change', (event: { type: string; node?: RedisAddress }) => {
    if (event.type !== 'MASTER_CHANGE' || !event.node) return;
    const next = `${event.node.host}:${event.node.port}`;
    if (primary === undefined) logger.info('redis primary found through the sentinels', { redis: settings.name, primary: next });
    else if (primary !== next) logger.warn('redis primary changed', { redis: settings.name, from: primary, primary: next });
    primary = next;
  });
  return client;
}

/** One node's client: its errors are outages. */
export function nodeClientReporting(url: string, settings: ClientSettings, outages: OutageLog) {
  const client = nodeClient(url, settings);
  client.on('error', (error: Error) => outages.lost(error));
  client.on('ready', () => outages.back());
  return client;
}
