/**
 * The least a deployable's Redis user needs: the commands it sends (those its Lua scripts call included,
 * since Redis checks them against the caller) and the keys it touches, read-write or read-only. One
 * source for `npm run redis-acl`, the README and the test that runs the pipeline with exactly these.
 */
export type Deployable = 'product-api' | 'inventory-worker' | 'inventory-api';

export const DEPLOYABLES: Deployable[] = ['product-api', 'inventory-worker', 'inventory-api'];

/** Every client: its name in the handshake, PING for liveness, and a Cluster's slot map. */
const CONNECTION = ['ping', 'client|setname', 'cluster|slots'];

/** What the dead-letter scripts call on the index kept beside the dead-letter stream. */
const INDEX_SCRIPT = ['hincrby', 'hset', 'hdel', 'sadd', 'srem', 'zadd', 'zrem', 'zcard', 'incr', 'expire', 'del'];

const COMMANDS: Record<Deployable, string[]> = {
  // The relay: the epoch marker, the publish pipeline, loss checks, trimming, the dead letters' count.
  'product-api': ['get', 'set', 'exists', 'xadd', 'xlen', 'xinfo|stream', 'xinfo|groups', 'xpending', 'xtrim'],
  // Consumption, claims, consumer hygiene (a script), dead-lettering (a script), the pause switch, metrics.
  'inventory-worker': [
    'get',
    'hgetall',
    'xreadgroup',
    'xack',
    'xautoclaim',
    'xclaim',
    'xgroup|create',
    'xgroup|delconsumer',
    'xpending',
    'xinfo|consumers',
    'xinfo|groups',
    'xlen',
    'eval',
    'evalsha',
    'xadd',
    ...INDEX_SCRIPT,
  ],
  // The dead-letter admin: reading and indexing letters, replay and purge (scripts), pause and resume.
  'inventory-api': [
    'exists',
    'get',
    'set',
    'del',
    'mget',
    'hgetall',
    'hsetnx',
    'hset',
    'smembers',
    'zrange',
    'zcard',
    'xlen',
    'xrange',
    'xrevrange',
    'xread',
    'xinfo|stream',
    'xinfo|groups',
    'xinfo|consumers',
    'xpending',
    'pexpire',
    'multi',
    'exec',
    'eval',
    'evalsha',
    'xadd',
    'xdel',
    ...INDEX_SCRIPT,
  ],
};

/** Key patterns: `~` read and write, `%R~` read only. */
function keyPatterns(deployable: Deployable, { stream, deadLetterStream }: { stream: string; deadLetterStream: string }): string[] {
  const escaped = (name: string) => name.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
  const [s, d] = [escaped(stream), escaped(deadLetterStream)];
  switch (deployable) {
    case 'product-api':
      return [`~${s}`, `~${s}:epoch`, `%R~${d}`];
    case 'inventory-worker':
      return [`~${s}`, `%R~${s}:epoch`, `%R~${s}:consumption`, `~${d}`, `~${d}:*`];
    case 'inventory-api':
      return [`~${s}`, `~${s}:consumption`, `~${d}`, `~${d}:*`];
  }
}

/** The ACL rules of a deployable's user, to follow `ACL SETUSER <name> on ><password>`. */
export function redisAclRules(deployable: Deployable, streams: { stream: string; deadLetterStream: string }): string[] {
  return [
    'resetkeys',
    'resetchannels',
    '-@all',
    ...[...CONNECTION, ...new Set(COMMANDS[deployable])].map((command) => `+${command}`),
    ...keyPatterns(deployable, streams),
  ];
}
