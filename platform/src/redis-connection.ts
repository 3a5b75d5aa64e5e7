import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, envBoolean, envRedisUrl } from './config';
import type { RedisAddress, RedisConnection } from './redis-options';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** An empty variable counts as unset (a compose file or a manifest passes `REDIS_URL=` to switch topology). */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** `host:port,host:port` (an IPv6 host in brackets): where sentinels or Cluster nodes are. */
const envAddresses = z
  .string()
  .optional()
  .transform((value, context): RedisAddress[] | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    const addresses: RedisAddress[] = [];
    for (const entry of value.split(',').map((part) => part.trim())) {
      const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(entry);
      const port = Number(match?.[3]);
      if (!match || port < 1 || port > 65535) {
        context.addIssue({ code: 'custom', message: `"${entry}" is not host:port` });
        return z.NEVER;
      }
      addresses.push({ host: match[1] ?? match[2] ?? '', port });
    }
    return addresses;
  });

/**
 * Where Redis is and how to log in: spread into a config schema. One topology: REDIS_URL (one node, the
 * default), REDIS_SENTINELS with REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES. Credentials in REDIS_URL or
 * in REDIS_USERNAME/REDIS_PASSWORD (an ACL user; a password alone is the default user's), TLS by
 * `rediss://` or REDIS_TLS=true, with REDIS_TLS_CA_FILE for a private CA.
 */
export const envRedisConnection = {
  REDIS_URL: unsetIfEmpty(envRedisUrl),
  REDIS_SENTINELS: envAddresses,
  REDIS_SENTINEL_MASTER: unsetIfEmpty(z.string().max(200)),
  REDIS_SENTINEL_USERNAME: unsetIfEmpty(z.string().max(200)),
  REDIS_SENTINEL_PASSWORD: unsetIfEmpty(z.string().max(1000)),
  REDIS_CLUSTER_NODES: envAddresses,
  REDIS_USERNAME: unsetIfEmpty(z.string().max(200)),
  REDIS_PASSWORD: unsetIfEmpty(z.string().max(1000)),
  REDIS_TLS: envBoolean(false),
  REDIS_TLS_CA_FILE: unsetIfEmpty(z.string()),
};

type ConnectionConfig = {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: RedisAddress[] | undefined;
  REDIS_SENTINEL_MASTER?: string | undefined;
  REDIS_SENTINEL_USERNAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_CLUSTER_NODES?: RedisAddress[] | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_TLS: boolean;
  REDIS_TLS_CA_FILE?: string | undefined;
  /** The streams' names, when the process has them: in a Cluster they must share a hash slot. */
  PRODUCT_STREAM?: string;
  DEAD_LETTER_STREAM?: string;
};

/**
 * A key's hash tag as Redis reads it: what lies between the first `{` and the first `}` after it, when
 * that is not empty. Keys with the same tag are in the same Cluster slot.
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/**
 * In a Cluster every operation that touches the stream, its dead-letter stream and the keys kept beside
 * them (the epoch marker, the dead-letter index, the consumption switch: each is a name plus a suffix)
 * must stay in one slot: both names carry one hash tag.
 */
function clusterNameProblems(config: ConnectionConfig): string[] {
  const names = { PRODUCT_STREAM: config.PRODUCT_STREAM, DEAD_LETTER_STREAM: config.DEAD_LETTER_STREAM };
  const tags = Object.entries(names).flatMap(([variable, name]) => (name === undefined ? [] : [{ variable, name, tag: hashTagOf(name) }]));
  const untagged = tags.filter(({ tag }) => tag === undefined);
  if (untagged.length > 0) {
    return [
      `${untagged.map(({ variable, name }) => `${variable} ("${name}")`).join(' and ')} must carry a hash tag in a Cluster, so that the streams and the keys beside them share a slot: set PRODUCT_STREAM={products}.events and DEAD_LETTER_STREAM={products}.events.dlq`,
    ];
  }
  const distinct = new Set(tags.map(({ tag }) => tag));
  if (distinct.size > 1) {
    return [
      `PRODUCT_STREAM ("${config.PRODUCT_STREAM}") and DEAD_LETTER_STREAM ("${config.DEAD_LETTER_STREAM}") carry different hash tags, so different Cluster slots: give both the same tag, e.g. {products}.events and {products}.events.dlq`,
    ];
  }
  return [];
}

function topologyProblems(config: ConnectionConfig): string[] {
  const problems: string[] = [];
  const set = [
    config.REDIS_URL !== undefined && 'REDIS_URL',
    config.REDIS_SENTINELS !== undefined && 'REDIS_SENTINELS',
    config.REDIS_CLUSTER_NODES !== undefined && 'REDIS_CLUSTER_NODES',
  ].filter((name) => name !== false);
  if (set.length > 1) problems.push(`${set.join(' and ')} are both set: give one topology (one node, Sentinel or Cluster)`);
  if (config.REDIS_SENTINELS !== undefined && config.REDIS_SENTINEL_MASTER === undefined) {
    problems.push('REDIS_SENTINELS is set without REDIS_SENTINEL_MASTER: name the primary the sentinels watch');
  }
  const sentinelOnly = (['REDIS_SENTINEL_MASTER', 'REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD'] as const).filter(
    (name) => config[name] !== undefined,
  );
  if (config.REDIS_SENTINELS === undefined && sentinelOnly.length > 0) {
    problems.push(`${sentinelOnly.join(', ')} ${sentinelOnly.length > 1 ? 'are' : 'is'} set without REDIS_SENTINELS`);
  }
  if (config.REDIS_CLUSTER_NODES !== undefined) problems.push(...clusterNameProblems(config));
  return problems;
}

/**
 * The connection a config names, or a ConfigError naming the variables that contradict each other (no
 * secret in it): two topologies, credentials given twice, a CA file without TLS or unreadable, Cluster
 * names in different slots.
 */
export function redisConnectionOf(config: ConnectionConfig): RedisConnection {
  const problems = topologyProblems(config);
  const url = new URL(config.REDIS_URL ?? DEFAULT_REDIS_URL);
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
  const login = {
    ...(config.REDIS_USERNAME === undefined ? {} : { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD === undefined ? {} : { password: config.REDIS_PASSWORD }),
    ...(ca === undefined ? {} : { ca }),
  };
  if (config.REDIS_SENTINELS !== undefined && config.REDIS_SENTINEL_MASTER !== undefined) {
    const sentinel = {
      nodes: config.REDIS_SENTINELS,
      master: config.REDIS_SENTINEL_MASTER,
      ...(config.REDIS_SENTINEL_USERNAME === undefined ? {} : { username: config.REDIS_SENTINEL_USERNAME }),
      ...(config.REDIS_SENTINEL_PASSWORD === undefined ? {} : { password: config.REDIS_SENTINEL_PASSWORD }),
    };
    return { sentinel, tls, ...login };
  }
  if (config.REDIS_CLUSTER_NODES !== undefined) return { cluster: { nodes: config.REDIS_CLUSTER_NODES }, tls, ...login };
  if (tls) url.protocol = 'rediss:';
  return { url: url.toString(), ...login };
}
