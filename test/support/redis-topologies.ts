// Real Redis topologies for tests, each process on free loopback ports in a directory of its own, stopped by
// pid: a primary with a replica watched by three sentinels, and a Cluster of primaries with replicas.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@redis/client';
import { freePort } from '@stockstream/platform';
import { waitForRedis } from '../../platform/test/support/redis-server';
import { waitFor } from '../../platform/test/support/wait';

const run = promisify(execFile);

/** One redis-server (a node, a sentinel, a Cluster node) on its own port; it keeps nothing on disk. */
export class RedisProcess {
  /** Who `command` logs in as; the default user when unset. */
  login: { username: string; password: string } | undefined;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(dir: string, args: string[], port?: number): Promise<RedisProcess> {
    const chosen = port ?? (await freePort());
    const child = spawn(
      'redis-server',
      [...args, '--port', String(chosen), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const started = new RedisProcess(chosen, child);
    await waitForRedis(`redis-server on ${chosen}`, { url: started.url });
    return started;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a command to this process alone, on a connection of its own. */
  async command(...args: string[]): Promise<unknown> {
    const client = createClient({ url: this.url, ...this.login, RESP: 2, socket: { reconnectStrategy: false, connectTimeout: 1_000 } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.sendCommand(args);
    } finally {
      if (client.isOpen) client.destroy();
    }
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

function infoField(info: unknown, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(String(info))?.[1]?.trim();
}

async function tempDir(prefix: string): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** The user every client of a SentinelSet logs in as (the sentinels too); the default user is left to replication. */
export const SENTINEL_SET_USER = { name: 'stockstream', password: 'sentinel-set-password' };

/**
 * A primary, a replica and three sentinels watching them (quorum 2). Clients and sentinels log in as
 * SENTINEL_SET_USER; the replica replicates as the default user, which `holdReplication` turns off on
 * the primary so that the replica falls behind as an asynchronous replica does.
 */
export class SentinelSet {
  readonly master = 'stockstream';

  private constructor(
    private readonly dir: string,
    readonly primary: RedisProcess,
    readonly replica: RedisProcess,
    readonly sentinels: RedisProcess[],
  ) {}

  static async start(): Promise<SentinelSet> {
    const dir = await tempDir('sentinel-');
    const { name, password } = SENTINEL_SET_USER;
    const primary = await RedisProcess.start(dir, []);
    const replica = await RedisProcess.start(dir, ['--replicaof', '127.0.0.1', String(primary.port)]);
    for (const node of [primary, replica]) {
      await node.command('ACL', 'SETUSER', name, 'on', `>${password}`, '~*', '&*', '+@all');
      node.login = { username: name, password };
    }
    await waitFor(
      'the replica in sync',
      async () => infoField(await replica.command('INFO', 'replication'), 'master_link_status') === 'up',
    );
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = path.join(dir, `sentinel-${port}.conf`);
      fs.writeFileSync(
        file,
        [
          `sentinel monitor stockstream 127.0.0.1 ${primary.port} 2`,
          `sentinel auth-user stockstream ${name}`,
          `sentinel auth-pass stockstream ${password}`,
          'sentinel down-after-milliseconds stockstream 1000',
          'sentinel failover-timeout stockstream 10000',
          'sentinel parallel-syncs stockstream 1',
          '',
        ].join('\n'),
      );
      sentinels.push(await RedisProcess.start(dir, [file, '--sentinel'], port));
    }
    const set = new SentinelSet(dir, primary, replica, sentinels);
    await waitFor('the sentinels to know the replica and each other', async () => {
      for (const sentinel of sentinels) {
        if (((await sentinel.command('SENTINEL', 'REPLICAS', 'stockstream')) as unknown[]).length < 1) return false;
        if (((await sentinel.command('SENTINEL', 'SENTINELS', 'stockstream')) as unknown[]).length < 2) return false;
      }
      return true;
    });
    return set;
  }

  /** The variables a process needs to find the primary through the sentinels and log in. */
  get env(): Record<string, string> {
    return {
      REDIS_SENTINELS: this.sentinels.map((sentinel) => sentinel.address).join(','),
      REDIS_SENTINEL_MASTER: this.master,
      REDIS_USERNAME: SENTINEL_SET_USER.name,
      REDIS_PASSWORD: SENTINEL_SET_USER.password,
    };
  }

  /** The port of the primary the sentinels name now. */
  async primaryPort(): Promise<number> {
    const reply = (await this.sentinels[0]!.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.master)) as string[];
    return Number(reply[1]);
  }

  /** Cuts the replica off (it cannot log in again): what the primary takes from now on, the replica lacks. */
  async holdReplication(): Promise<void> {
    await this.primary.command('ACL', 'SETUSER', 'default', 'off');
    await this.primary.command('CLIENT', 'KILL', 'TYPE', 'replica');
    await waitFor(
      'the replica cut off',
      async () => infoField(await this.replica.command('INFO', 'replication'), 'master_link_status') === 'down',
    );
  }

  /** SIGKILLs the primary and waits until the sentinels have promoted the replica and it answers as one. */
  async failOver(timeoutMs = 30_000): Promise<void> {
    await this.primary.kill();
    await waitFor(
      'the replica promoted',
      async () =>
        (await this.primaryPort()) === this.replica.port &&
        infoField(await this.replica.command('INFO', 'replication'), 'role') === 'master',
      timeoutMs,
      100,
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, this.primary, this.replica].map((node) => node.kill()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

interface ClusterNode {
  process: RedisProcess;
  id: string;
}

/** A Cluster made with `redis-cli --cluster create`: primaries (three at least) and replicas for each. */
export class RedisCluster {
  private constructor(
    private readonly dir: string,
    readonly nodes: ClusterNode[],
  ) {}

  static async start({ primaries = 3, replicas = 0 }: { primaries?: number; replicas?: number } = {}): Promise<RedisCluster> {
    const dir = await tempDir('cluster-');
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < primaries * (1 + replicas); i++) {
      // The bus port is set, not port + 10000, which may not exist above 55535.
      const busPort = await freePort();
      const process = await RedisProcess.start(dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(busPort),
        '--cluster-config-file',
        `nodes-${busPort}.conf`,
        '--cluster-node-timeout',
        '1000',
        '--cluster-replica-validity-factor',
        '0',
      ]);
      nodes.push({ process, id: String(await process.command('CLUSTER', 'MYID')) });
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => node.process.address),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    const cluster = new RedisCluster(dir, nodes);
    await cluster.waitHealthy();
    await waitFor('every replica in sync', async () => {
      for (const { process } of nodes) {
        const info = await process.command('INFO', 'replication');
        if (infoField(info, 'role') === 'slave' && infoField(info, 'master_link_status') !== 'up') return false;
      }
      return true;
    });
    return cluster;
  }

  get env(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.nodes.map((node) => node.process.address).join(',') };
  }

  get running(): RedisProcess[] {
    return this.nodes.map((node) => node.process).filter((process) => process.running);
  }

  /** Every running node says the Cluster is ok and agrees on who serves every slot. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      'the Cluster ok on every node',
      async () => {
        for (const node of this.running) {
          if (infoField(await node.command('CLUSTER', 'INFO'), 'cluster_state') !== 'ok') return false;
        }
        return true;
      },
      timeoutMs,
      100,
    );
  }

  /** The node that serves a key's slot now. */
  async primaryOf(key: string): Promise<RedisProcess> {
    const someNode = this.running[0]!;
    const slot = Number(await someNode.command('CLUSTER', 'KEYSLOT', key));
    const slots = (await someNode.command('CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
    const owner = slots.find(([from, to]) => slot >= from && slot <= to);
    const port = Number(owner?.[2][1]);
    const node = this.nodes.find((candidate) => candidate.process.port === port);
    if (!node) throw new Error(`no node serves slot ${slot}`);
    return node.process;
  }

  /**
   * Moves a key's slot, with its keys, to another primary, as `redis-cli --cluster reshard` does for one
   * slot: importing and migrating states, MIGRATE in small steps (clients meanwhile get ASK and TRYAGAIN),
   * then the new owner announced to every primary. Answers the new owner.
   */
  async moveSlotOf(key: string): Promise<RedisProcess> {
    const source = await this.primaryOf(key);
    const slot = Number(await source.command('CLUSTER', 'KEYSLOT', key));
    const primaries: RedisProcess[] = [];
    for (const node of this.running) {
      if (infoField(await node.command('INFO', 'replication'), 'role') === 'master') primaries.push(node);
    }
    const target = primaries.find((node) => node !== source)!;
    const idOf = (node: RedisProcess) => this.nodes.find((candidate) => candidate.process === node)!.id;
    await target.command('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', idOf(source));
    await source.command('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', idOf(target));
    for (;;) {
      const keys = (await source.command('CLUSTER', 'GETKEYSINSLOT', String(slot), '1')) as string[];
      if (keys.length === 0) break;
      await source.command('MIGRATE', '127.0.0.1', String(target.port), '', '0', '5000', 'KEYS', ...keys);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const node of primaries) await node.command('CLUSTER', 'SETSLOT', String(slot), 'NODE', idOf(target));
    await this.waitHealthy();
    return target;
  }

  /** SIGKILLs the primary of a key's slot and waits until a replica serves it and the Cluster is ok. */
  async failOver(key: string, timeoutMs = 30_000): Promise<{ old: RedisProcess; promoted: RedisProcess }> {
    const old = await this.primaryOf(key);
    await old.kill();
    let promoted: RedisProcess | undefined;
    await waitFor(
      'a replica promoted',
      async () => {
        promoted = await this.primaryOf(key).catch(() => undefined);
        return promoted !== undefined && promoted !== old && infoField(await promoted.command('INFO', 'replication'), 'role') === 'master';
      },
      timeoutMs,
      100,
    );
    await this.waitHealthy(timeoutMs);
    return { old, promoted: promoted! };
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.process.kill()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
