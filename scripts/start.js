#!/usr/bin/env node
// @ts-check
// `npm start`: checks that PostgreSQL and Redis answer, migrates, then runs product-api, inventory-api and
// WORKERS inventory-workers (default 1) as child processes, each line of their logs prefixed with its name.
// Ctrl-C (or SIGTERM) stops them all cleanly.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const crypto = require('node:crypto');
const path = require('node:path');
const readline = require('node:readline');

const root = path.join(__dirname, '..');
const workers = Number(process.env.WORKERS ?? '1');
if (!Number.isInteger(workers) || workers < 0 || workers > 32) {
  console.error(`WORKERS must be a whole number from 0 to 32 (got "${process.env.WORKERS}")`);
  process.exit(2);
}

// The databases' default URLs, from where the services take them (npm start builds first).
const { DATABASES } = require(path.join(root, 'prisma', 'dist', 'src', 'databases.js'));
const checks = [
  ['PostgreSQL', 'PRODUCT_DATABASE_URL', DATABASES.product.defaultUrl, 5432],
  ['PostgreSQL', 'INVENTORY_DATABASE_URL', DATABASES.inventory.defaultUrl, 5432],
  redisCheck(),
];

/** One node's URL, or the first sentinel or Cluster node when those name the topology (the services check the rest). */
function redisCheck() {
  for (const variable of ['REDIS_SENTINELS', 'REDIS_CLUSTER_NODES']) {
    const first = process.env[variable]?.split(',')[0]?.trim();
    if (first) return ['Redis', variable, `redis://${first}`, 6379, `redis://${first}`];
  }
  return ['Redis', 'REDIS_URL', 'redis://127.0.0.1:6379', 6379];
}

/** @param {string} host @param {number} port */
function answers(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

async function checkDependencies() {
  let ok = true;
  for (const [name, variable, fallback, defaultPort, address] of checks) {
    const url = new URL(address ?? (process.env[String(variable)] || String(fallback)));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (await answers(host, Number(url.port || defaultPort))) continue;
    ok = false;
    console.error(`${name} does not answer at ${url.host} (${variable}=${url.protocol}//${url.host}${url.pathname}).`);
    console.error(`  Start it: the local ${name} service, or \`docker compose up -d postgres redis\`, or set ${variable}.`);
  }
  if (!ok) process.exit(1);
}

/** @type {{ name: string, child: import('node:child_process').ChildProcess }[]} */
const running = [];
let stopping = false;

/** @param {string} name @param {string} script @param {Record<string, string>} env */
function run(name, script, env = {}) {
  const child = spawn(process.execPath, [path.join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = name.padEnd(20);
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${label}| ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`${label}| exited (${signal ?? code})\n`);
    if (!stopping) stopAll(`${name} exited`, 1);
  });
  running.push({ name, child });
}

/** @param {string} reason @param {number} code */
function stopAll(reason, code) {
  if (stopping) return;
  stopping = true;
  console.log(`stopping (${reason})...`);
  const exits = running.map(
    ({ child }) =>
      new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve))),
  );
  for (const { child } of running) child.kill('SIGTERM');
  const force = setTimeout(() => running.forEach(({ child }) => child.kill('SIGKILL')), 15_000);
  void Promise.all(exits).then(() => {
    clearTimeout(force);
    process.exit(code);
  });
}

async function main() {
  await checkDependencies();
  execFileSync(process.execPath, [path.join(root, 'prisma/dist/src/migrate-all.js')], { stdio: 'inherit' });
  // The admin routes and the dead-letter page need a key: one for this run unless ADMIN_API_KEY chooses it.
  // With ADMIN_API_KEYS (named keys) set, those are the keys and none is made.
  const madeKey = process.env.ADMIN_API_KEY || process.env.ADMIN_API_KEYS ? undefined : crypto.randomBytes(18).toString('base64url');
  const adminEnv = madeKey ? { ADMIN_API_KEY: madeKey } : {};
  run('product-api', 'product-api/dist/main.js', adminEnv);
  run('inventory-api', 'inventory-api/dist/main.js', adminEnv);
  // Worker i serves health on WORKER_PORT + i - 1; WORKER_PORT=0 gives each worker any free port (its log names it).
  const firstWorkerPort = Number(process.env.WORKER_PORT ?? 9101);
  for (let i = 1; i <= workers; i++) {
    run(`inventory-worker-${i}`, 'inventory-worker/dist/main.js', {
      WORKER_PORT: String(firstWorkerPort === 0 ? 0 : firstWorkerPort + i - 1),
    });
  }
  process.on('SIGINT', () => stopAll('SIGINT', 0));
  process.on('SIGTERM', () => stopAll('SIGTERM', 0));
  const host = process.env.HOST ?? '127.0.0.1';
  console.log(`\n  product-api    http://${host}:${process.env.PRODUCT_API_PORT ?? 7001}/docs`);
  console.log(`  inventory-api  http://${host}:${process.env.INVENTORY_API_PORT ?? 5001}/docs`);
  console.log(`  dead letters   http://${host}:${process.env.INVENTORY_API_PORT ?? 5001}/admin`);
  if (madeKey) console.log(`  admin key      ${madeKey} (made for this run; set ADMIN_API_KEYS=name:key,… to choose them)`);
  console.log(`  workers        ${workers} (health on port ${process.env.WORKER_PORT ?? 9101} and up)\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  stopAll('start failed', 1);
});
