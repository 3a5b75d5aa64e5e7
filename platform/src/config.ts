import { z } from 'zod';
import type { AdminKey } from './admin-key';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from './redis';

/** "true"/"false"/"1"/"0"/"yes"/"no"; z.coerce.boolean() would take "false" as true. */
export const envBoolean = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const envPort = (defaultValue: number) => z.coerce.number().int().min(0).max(65535).default(defaultValue);

export const envPostgresUrl = (defaultValue: string) =>
  z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }).default(defaultValue);

/** LOG_LEVEL: set on the process's logger once the config is read (the logger exists before it, for config errors). */
export const envLogLevel = z
  .enum(['error', 'warn', 'info', 'debug', 'silent'], { error: 'must be error, warn, info, debug or silent' })
  .default('info');

/** REDIS_COMMAND_TIMEOUT_MS: how long a command may go unanswered before the connection counts as stalled. */
export const envRedisCommandTimeoutMs = z.coerce.number().int().min(50).max(60_000).default(DEFAULT_REDIS_COMMAND_TIMEOUT_MS);

/**
 * The product stream, its dead-letter stream and the consumer group, as every process and CLI reads them:
 * spread into a config schema, so that each default is written once.
 */
export const envStreamNames = {
  PRODUCT_STREAM: z.string().min(1).default('products.events'),
  DEAD_LETTER_STREAM: z.string().min(1).default('products.events.dlq'),
  CONSUMER_GROUP: z.string().min(1).default('inventory'),
};

/** The names as shipped (what envStreamNames gives an empty environment). */
export const DEFAULT_STREAM_NAMES = z.object(envStreamNames).parse({});

/** REDIS_URL: one node's URL (redis:// or rediss://); unset, 127.0.0.1:6379 unless a Sentinel or Cluster is named. */
export const envRedisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' });

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN|CREDENTIAL/i;
/** URL query parameters that carry a secret (libpq's `password`, `sslpassword`; tokens and keys). */
const SECRET_PARAMETER = /pass|secret|token|credential|api[-_]?key|auth/i;

/**
 * A URL as it may be shown in a log or a message: its password, its user name (which can be a token) and
 * every secret query parameter masked. A value that does not parse as a URL but may hold one is hidden.
 */
export function maskUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value.includes('@') || SECRET_PARAMETER.test(value) ? '(hidden: it may hold credentials)' : value;
  }
  if (url.username) url.username = '***';
  if (url.password) url.password = '***';
  for (const name of [...url.searchParams.keys()]) if (SECRET_PARAMETER.test(name)) url.searchParams.set(name, '***');
  return url.toString();
}

/**
 * How a bad value is shown in the error: as it is, except a secret (never shown) and a URL's credentials
 * (masked), since start-up errors end up in logs.
 */
function shown(variable: string, value: string): string {
  if (SECRET_NAME.test(variable)) return ' (value hidden: it is a secret)';
  const masked = maskUrl(value);
  return masked.startsWith('(hidden') ? ` (value ${masked.slice(1, -1)})` : ` (got "${masked}")`;
}

/** Parses the environment once at start; the error names every bad variable and what is wrong with it. */
export function parseConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    const value = env[variable];
    return `  ${variable}: ${issue.message}${value === undefined ? '' : shown(variable, value)}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

const ADMIN_KEY_NAME = /^[A-Za-z0-9._@-]{1,50}$/;

/**
 * ADMIN_API_KEYS: `name:key,name:key`, each key at least 16 characters, names and keys unique. The name is
 * the actor the audit records. Messages name the entry by its position or name, never show a key.
 */
export const envAdminApiKeys = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === '') return [];
    const keys: AdminKey[] = [];
    for (const [index, entry] of value.split(',').entries()) {
      const colon = entry.indexOf(':');
      const name = entry.slice(0, colon).trim();
      const key = entry.slice(colon + 1).trim();
      const problem =
        colon < 0
          ? `entry ${index + 1} is not name:key`
          : !ADMIN_KEY_NAME.test(name)
            ? `entry ${index + 1}'s name must be 1 to 50 letters, digits or . _ @ -`
            : key.length < 16
              ? `the key of "${name}" must be at least 16 characters`
              : keys.some((other) => other.name === name)
                ? `"${name}" is named twice`
                : keys.some((other) => other.key === key)
                  ? `the key of "${name}" is also another name's key`
                  : undefined;
      if (problem) {
        context.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      keys.push({ name, key });
    }
    return keys;
  });

/** ADMIN_API_KEY: one key, for the actor "admin" (kept working beside ADMIN_API_KEYS). */
export const envAdminApiKey = z.string().min(16, 'must be at least 16 characters').optional();

/** Every admin key a process accepts: ADMIN_API_KEYS, and ADMIN_API_KEY as "admin". Empty: admin is off. */
export function adminKeysOf(config: { ADMIN_API_KEY?: string | undefined; ADMIN_API_KEYS: AdminKey[] }): AdminKey[] {
  return config.ADMIN_API_KEY === undefined
    ? config.ADMIN_API_KEYS
    : [{ name: 'admin', key: config.ADMIN_API_KEY }, ...config.ADMIN_API_KEYS];
}
