import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createClient } from '@redis/client';
import type { RedisClientOptions } from '@redis/client';
import { freePort } from '../../src/free-port';
import { waitFor } from './wait';

/** Waits until a Redis at these options answers PING, each try on a connection of its own. */
export async function waitForRedis(what: string, options: RedisClientOptions): Promise<void> {
  await waitFor(what, async () => {
    const client = createClient({ ...options, socket: { ...options.socket, reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      if (client.isOpen) await client.close();
    }
  });
}

/** A private redis-server on a loopback port, for tests that take Redis away; it keeps nothing on disk. */
export class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts it on the same port, empty. */
  async up(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForRedis(`redis-server on ${this.port}`, { url: this.url });
  }

  /** Stops it without closing a socket (SIGSTOP): what a stuck primary or a partition looks like to a client. */
  stall(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  async down(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
