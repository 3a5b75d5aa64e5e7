// Redis over TLS with ACL users, as a managed Redis runs it: a private redis-server on a free loopback port
// that speaks TLS only (a CA and a certificate this test makes with openssl) and knows no default user;
// product-api and a worker, built, each log in as a user of its own that may touch only the stream's keys.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import { freePort } from '@stockstream/platform';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { waitForRedis } from '../platform/test/support/redis-server';
import { waitFor } from '../platform/test/support/wait';
import { startService } from './support/service-process';
import type { ServiceProcess } from './support/service-process';

const stream = `tls-${randomUUID().slice(0, 8)}.events`;
const users = { product: `product-${randomUUID().slice(0, 6)}`, worker: `worker-${randomUUID().slice(0, 6)}` };
const PASSWORD = randomUUID();

// Debian's redis-server is built with TLS (linked to OpenSSL); a build without it, or no openssl, skips this.
const redisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
const tlsBuilt = redisServer !== '' && /libssl/.test(spawnSync('ldd', [redisServer], { encoding: 'utf8' }).stdout ?? '');
const describeWithTls = tlsBuilt && fs.existsSync('/usr/bin/openssl') ? describe : describe.skip;

let dir: string;
let server: ChildProcess | undefined;
let port: number;
let products: TestDatabase;
let inventory: TestDatabase;
const started: ServiceProcess[] = [];

function makeCertificates(): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=stockstream test CA',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'redis.key', '-out', 'redis.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'redis.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'redis.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockstream-tls-'));
  makeCertificates();
  port = await freePort();
  // Each deployable's user: every key under the stream's name (the stream, its dead-letter stream and
  // their markers), no other key, no dangerous command; the default user is off.
  const acl = [
    `user default off`,
    `user ${users.product} on >${PASSWORD} ~${stream}* resetchannels +@all -@dangerous`,
    `user ${users.worker} on >${PASSWORD} ~${stream}* resetchannels +@all -@dangerous`,
    `user admin on >${PASSWORD} ~* &* +@all`,
  ];
  fs.writeFileSync(path.join(dir, 'users.acl'), `${acl.join('\n')}\n`);
  server = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--tls-cert-file',
      path.join(dir, 'redis.crt'),
      '--tls-key-file',
      path.join(dir, 'redis.key'),
      '--tls-ca-cert-file',
      path.join(dir, 'ca.crt'),
      '--tls-auth-clients',
      'no',
      '--aclfile',
      path.join(dir, 'users.acl'),
    ],
    { stdio: 'ignore' },
  );
  await waitForRedis('redis-server over TLS', {
    url: `rediss://127.0.0.1:${port}`,
    username: 'admin',
    password: PASSWORD,
    socket: { tls: true, ca: fs.readFileSync(path.join(dir, 'ca.crt')) },
  });
  products = await createTestDatabase('product');
  inventory = await createTestDatabase('inventory');
});
afterAll(async () => {
  await Promise.all(started.map((service) => service.stop()));
  server?.kill('SIGKILL');
  await products?.drop();
  await inventory?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const redisEnv = (user: string) => ({
  REDIS_URL: `redis://127.0.0.1:${port}`,
  REDIS_TLS: 'true',
  REDIS_TLS_CA_FILE: path.join(dir, 'ca.crt'),
  REDIS_USERNAME: user,
  REDIS_PASSWORD: PASSWORD,
  PRODUCT_STREAM: stream,
  DEAD_LETTER_STREAM: `${stream}.dlq`,
});

describeWithTls('over TLS, each deployable as its own ACL user', () => {
  test('a product created on product-api gets its stock from the worker', async () => {
    const api = await startService('product-api/dist/main.js', 'PRODUCT_API_PORT', {
      ...redisEnv(users.product),
      PRODUCT_DATABASE_URL: products.url,
    });
    const worker = await startService('inventory-worker/dist/main.js', 'WORKER_PORT', {
      ...redisEnv(users.worker),
      INVENTORY_DATABASE_URL: inventory.url,
    });
    started.push(api, worker);
    const res = await fetch(`http://127.0.0.1:${api.port}/api/products`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sku: 'TLS-1', name: 'Over TLS', price: '1.00' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await waitFor('the stock record', () => worker.lines.some((line) => line.includes('"event handled"') && line.includes(id)));
    expect([...api.lines, ...worker.lines].filter((line) => /NOPERM|"level":"error"/.test(line))).toEqual([]);
  });

  test("the worker's user cannot write a key that is not under the stream's name", async () => {
    const client = createClient({
      url: `rediss://127.0.0.1:${port}`,
      username: users.worker,
      password: PASSWORD,
      socket: { ca: fs.readFileSync(path.join(dir, 'ca.crt')), reconnectStrategy: false },
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await expect(client.set('products.other', 'x')).rejects.toThrow(/NOPERM/);
      await expect(client.set(`${stream}:mine`, 'x')).resolves.toBe('OK');
      await expect(client.flushAll()).rejects.toThrow(/NOPERM/);
    } finally {
      await client.close();
    }
  });
});
