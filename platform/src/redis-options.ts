// What a Redis client is made from, with no import: config.ts, redis.ts and redis-connection.ts all reach it.
export interface RedisConnection {
  url: string;
  username?: string;
  password?: string;
  /** The CA's certificates (PEM), when TLS trusts a private CA. */
  ca?: string;
}

/** node-redis's options for a connection: its URL and credentials, and the socket's CA (merge more socket options in). */
export function clientOptionsOf(connection: RedisConnection): {
  url: string;
  username?: string;
  password?: string;
  socket: { ca?: string };
} {
  return {
    url: connection.url,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    socket: connection.ca === undefined ? {} : { ca: connection.ca },
  };
}
