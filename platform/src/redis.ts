import { createClient } from '@redis/client';
import type { Logger } from './logger';

export type RedisClient = ReturnType<typeof createRedisClient>;

export interface RedisOptions {
  url: string;
  logger: Logger;
  name: string;
  /**
   * APIs fail fast: while Redis is away a command fails at once instead of queueing.
   * Workers wait: commands queue until the connection is back.
   */
  failFast: boolean;
}

/** Reconnects forever with a capped backoff; logs each error once per outage, not once per retry. */
export function createRedisClient({ url, logger, name, failFast }: RedisOptions) {
  const client = createClient({
    url,
    name,
    RESP: 2,
    disableOfflineQueue: failFast,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000),
    },
  });
  let down = false;
  // Without an 'error' listener node-redis errors would crash the process.
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn('redis connection lost', { redis: name, error: error.message });
  });
  client.on('ready', () => {
    if (down) logger.info('redis connection back', { redis: name });
    down = false;
  });
  return client;
}
