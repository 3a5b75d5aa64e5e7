// What a Redis client is made from, with no import: redis-connection.ts, redis-clients.ts and redis.ts all reach it.

export interface RedisAddress {
  host: string;
  port: number;
}

/** Where Redis is: one node by URL, a primary found through sentinels, or a Cluster. */
export type RedisTopology =
  | { url: string }
  | { sentinel: { nodes: RedisAddress[]; master: string; username?: string; password?: string }; tls: boolean }
  | { cluster: { nodes: RedisAddress[] }; tls: boolean };

export type RedisConnection = RedisTopology & {
  username?: string;
  password?: string;
  /** The CA's certificates (PEM), when TLS trusts a private CA. */
  ca?: string;
};

/** Where a connection goes, for a message: a node's URL with its credentials masked by the caller, or the nodes it starts from. */
export function describeRedis(connection: RedisConnection): string {
  const list = (nodes: RedisAddress[]) => nodes.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`).join(',');
  if ('sentinel' in connection) return `the primary "${connection.sentinel.master}" of the sentinels ${list(connection.sentinel.nodes)}`;
  if ('cluster' in connection) return `the Cluster at ${list(connection.cluster.nodes)}`;
  return connection.url;
}

/** node-redis's options for one node's connection: credentials, and TLS with its CA (merge more socket options in). */
export function nodeOptionsOf(connection: RedisConnection): {
  username?: string;
  password?: string;
  socket: { tls?: true; ca?: string };
} {
  const tls = 'url' in connection ? connection.url.startsWith('rediss:') : connection.tls;
  return {
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    socket: { ...(tls ? { tls: true as const } : {}), ...(connection.ca === undefined ? {} : { ca: connection.ca }) },
  };
}
