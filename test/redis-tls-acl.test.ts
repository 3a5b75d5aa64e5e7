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
import { freePort, redisAclRules } from '@stockstream/platform';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { waitForRedis } from '../platform/test/support/redis-server';
import { waitFor } from '../platform/test/support/wait';
import { QUICK_WORKER, startService } from './support/service-process';
import type { ServiceProcess } from './support/service-process';

const stream = `tls-${randomUUID().slice(0, 8)}.events`;
const users = {
  product: `product-${randomUUID().slice(0, 6)}`,
  worker: `worker-${randomUUID().slice(0, 6)}`,
  inventory: `inventory-${randomUUID().slice(0, 6)}`,
};
const API_KEY = 'tls-admin-key-0123456789';
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
  // Each deployable's user has the least it needs (`npm run redis-acl`: its commands, its keys, read-only
  // where it only reads); the default user is off.
  const streams = { stream, deadLetterStream: `${stream}.dlq` };
  const acl = [
    `user default off`,
    `user ${users.product} on >${PASSWORD} ${redisAclRules('product-api', streams).join(' ')}`,
    `user ${users.worker} on >${PASSWORD} ${redisAclRules('inventory-worker', streams).join(' ')}`,
    `user ${users.inventory} on >${PASSWORD} ${redisAclRules('inventory-api', streams).join(' ')}`,
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

describeWithTls('over TLS, each deployable as its own least-privilege ACL user', () => {
  const adminClient = async (user = 'admin') => {
    const client = createClient({
      url: `rediss://127.0.0.1:${port}`,
      username: user,
      password: PASSWORD,
      RESP: 2,
      socket: { ca: fs.readFileSync(path.join(dir, 'ca.crt')), reconnectStrategy: false },
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const call = async (service: ServiceProcess, method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${service.port}${url}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-API-Key': API_KEY },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };

  test('the pipeline, dead-lettering, replay, purge, pause and resume: every command each user sends is allowed', async () => {
    const api = await startService('product-api/dist/main.js', 'PRODUCT_API_PORT', {
      ...redisEnv(users.product),
      PRODUCT_DATABASE_URL: products.url,
    });
    const worker = await startService('inventory-worker/dist/main.js', 'WORKER_PORT', {
      ...redisEnv(users.worker),
      INVENTORY_DATABASE_URL: inventory.url,
      ...QUICK_WORKER,
    });
    const admin = await startService('inventory-api/dist/main.js', 'INVENTORY_API_PORT', {
      ...redisEnv(users.inventory),
      INVENTORY_DATABASE_URL: inventory.url,
      ADMIN_API_KEYS: `ops:${API_KEY}`,
    });
    started.push(api, worker, admin);
    const created = await call(api, 'POST', '/api/products', { sku: 'TLS-1', name: 'Over TLS', price: '1.00' });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    await waitFor('the stock record', () => worker.lines.some((line) => line.includes('"event handled"') && line.includes(id)));

    // A malformed entry, dead-lettered by the worker's script; the admin lists it, replays it (the worker
    // dead-letters it again), purges it; pauses and resumes consumption.
    const root = await adminClient();
    const aclLog = async () => JSON.stringify(await root.sendCommand(['ACL', 'LOG']));
    const letters = async () => ((await call(admin, 'GET', '/admin/dlq')).body.items as { id: string }[] | undefined) ?? [];
    try {
      await root.xAdd(stream, '*', { junk: 'x' });
      const [first] = await waitFor('the dead letter', async () => ((await letters()).length > 0 ? letters() : undefined));
      expect({ status: (await call(admin, 'GET', '/admin/dlq/groups')).status, denied: await aclLog() }).toEqual({
        status: 200,
        denied: '[]',
      });
      expect({ status: (await call(admin, 'POST', `/admin/dlq/${first!.id}/replay`)).status, denied: await aclLog() }).toEqual({
        status: 200,
        denied: '[]',
      });
      const [again] = await waitFor('dead-lettered again', async () =>
        (await letters()).some((letter) => letter.id !== first!.id) ? letters() : undefined,
      );
      expect({ status: (await call(admin, 'DELETE', `/admin/dlq/${again!.id}`)).status, denied: await aclLog() }).toEqual({
        status: 204,
        denied: '[]',
      });
      expect((await call(admin, 'POST', '/admin/consumption/pause', { reason: 'acl test' })).status).toBe(200);
      expect((await call(admin, 'POST', '/admin/consumption/resume')).status).toBe(200);
      // The idle consumer of an earlier process: the worker's hygiene script removes it.
      await root.xGroupCreateConsumer(stream, 'inventory', 'earlier-worker');
      await waitFor(
        'the idle consumer removed',
        async () => !(await root.xInfoConsumers(stream, 'inventory')).some((c) => c.name === 'earlier-worker'),
        15_000,
      );
      // A product after all that still gets its stock: nothing was refused on the way.
      const later = await call(api, 'POST', '/api/products', { sku: 'TLS-2', name: 'Later', price: '1.00' });
      await waitFor('the later stock record', () =>
        worker.lines.some((line) => line.includes('"event handled"') && line.includes(String(later.body.id))),
      );
      expect(await aclLog()).toBe('[]');
    } finally {
      await root.close();
    }
    const unexpected = (line: string) => /NOPERM/.test(line) || (/"level":"error"/.test(line) && !line.includes('"event dead-lettered"'));
    expect([...api.lines, ...worker.lines, ...admin.lines].filter(unexpected)).toEqual([]);
  });

  test("the worker's user cannot write keys that are not its own, nor the relay's epoch marker", async () => {
    const client = await adminClient(users.worker);
    try {
      await expect(client.set('products.other', 'x')).rejects.toThrow(/NOPERM/);
      await expect(client.set(`${stream}:epoch`, 'forged')).rejects.toThrow(/NOPERM/);
      await expect(client.xAdd(`${stream}x`, '*', { a: '1' })).rejects.toThrow(/NOPERM/);
      await expect(client.flushAll()).rejects.toThrow(/NOPERM/);
      await expect(client.xLen(stream)).resolves.toEqual(expect.any(Number));
    } finally {
      await client.close();
    }
  });
});
