import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, envBoolean, envRedisUrl } from './config';
import type { RedisConnection } from './redis-options';

/**
 * Where Redis is and how to log in: spread into a config schema. Credentials in REDIS_URL or in
 * REDIS_USERNAME/REDIS_PASSWORD (an ACL user; a password alone is the default user's), TLS by `rediss://`
 * or REDIS_TLS=true, with REDIS_TLS_CA_FILE for a private CA.
 */
export const envRedisConnection = {
  REDIS_URL: envRedisUrl,
  REDIS_USERNAME: z.string().min(1).max(200).optional(),
  REDIS_PASSWORD: z.string().min(1).max(1000).optional(),
  REDIS_TLS: envBoolean(false),
  REDIS_TLS_CA_FILE: z.string().min(1).optional(),
};

type ConnectionConfig = {
  REDIS_URL: string;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_TLS: boolean;
  REDIS_TLS_CA_FILE?: string | undefined;
};

/**
 * The connection a config names, or a ConfigError naming the variables that contradict each other (no
 * secret in it): credentials given twice, a CA file without TLS, a CA file that cannot be read.
 */
export function redisConnectionOf(config: ConnectionConfig): RedisConnection {
  const url = new URL(config.REDIS_URL);
  const problems: string[] = [];
  if ((url.username || url.password) && (config.REDIS_USERNAME !== undefined || config.REDIS_PASSWORD !== undefined)) {
    problems.push('REDIS_URL holds credentials and REDIS_USERNAME/REDIS_PASSWORD give them again: give them one way');
  }
  const tls = url.protocol === 'rediss:' || config.REDIS_TLS;
  let ca: string | undefined;
  if (config.REDIS_TLS_CA_FILE !== undefined) {
    if (!tls) problems.push('REDIS_TLS_CA_FILE is set but TLS is off: use a rediss:// URL or REDIS_TLS=true');
    else {
      try {
        ca = fs.readFileSync(config.REDIS_TLS_CA_FILE, 'utf8');
      } catch (error) {
        problems.push(`REDIS_TLS_CA_FILE: cannot read ${config.REDIS_TLS_CA_FILE} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  if (tls) url.protocol = 'rediss:';
  return {
    url: url.toString(),
    ...(config.REDIS_USERNAME === undefined ? {} : { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD === undefined ? {} : { password: config.REDIS_PASSWORD }),
    ...(ca === undefined ? {} : { ca }),
  };
}
