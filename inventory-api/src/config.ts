import { z } from 'zod';
import {
  envAdminApiKey,
  envAdminApiKeys,
  envBoolean,
  envHeapGrowthPercent,
  envLogLevel,
  envPort,
  envPostgresUrl,
  envRedisCommandTimeoutMs,
  envRedisConnection,
  envStreamNames,
  parseConfig,
} from '@stockstream/platform';
import { DATABASES } from '@stockstream/prisma';

export const InventoryApiConfig = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  INVENTORY_API_PORT: envPort(5001),
  INVENTORY_DATABASE_URL: envPostgresUrl(DATABASES.inventory.defaultUrl),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  ...envRedisConnection,
  REDIS_COMMAND_TIMEOUT_MS: envRedisCommandTimeoutMs,
  ...envStreamNames,
  /** Admin keys (name:key,…) and the single key of before (as "admin"): /admin/* and the page need one; none, they answer 404. */
  ADMIN_API_KEYS: envAdminApiKeys,
  ADMIN_API_KEY: envAdminApiKey,
  /** Session cookies Secure on every request (behind a TLS proxy that Express does not trust); over TLS they always are. */
  ADMIN_COOKIE_SECURE: envBoolean(false),
  /** A trace UI's address for one trace, with {traceId} in it: the dead-letter page links each letter's trace there. */
  TRACE_UI_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .refine((url) => url.includes('{traceId}'), 'must hold {traceId}, where the trace id goes')
    .optional(),
  /** How often the dead-letter page at /admin reloads itself. */
  ADMIN_PAGE_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  IDEMPOTENCY_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .default(24 * 60 * 60 * 1000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  LOG_LEVEL: envLogLevel,
  HEAP_GROWTH_PERCENT: envHeapGrowthPercent,
});
export type InventoryApiConfig = z.infer<typeof InventoryApiConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): InventoryApiConfig {
  return parseConfig(InventoryApiConfig, env);
}
