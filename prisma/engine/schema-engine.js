#!/usr/bin/env node
// @ts-check
// Stands in for Prisma's native schema engine binary (named in PRISMA_SCHEMA_ENGINE_BINARY), which
// the CLI would download from Prisma's servers. It speaks the CLI's engine protocol, newline-delimited
// JSON-RPC 2.0 on stdin/stdout, and forwards every call to the same engine compiled to WebAssembly.
'use strict';
const fs = require('node:fs');
const readline = require('node:readline');
const pg = require('pg');
const { startEngine, engineGlue } = require('./wasm-engine');
const { withDatabase, dropOpenShadowDatabases } = require('./migration-adapter');

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ datamodels: string[], url?: string, cliCommand?: string, version: boolean }} */
  const args = { datamodels: [], version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--version' || arg === '-V') args.version = true;
    else if (arg === '--datamodels') args.datamodels.push(String(argv[++i]));
    else if (arg === '--datasource') args.url = JSON.parse(String(argv[++i])).url;
    else if (arg === 'cli') args.cliCommand = argv[++i];
    else if (arg === '--enabled-preview-features' || arg === '--extension-types') i++;
  }
  return args;
}

/** The shape the CLI reads engine errors in: data.message, data.error_code, data.is_panic. */
function toRpcError(/** @type {unknown} */ error) {
  const raw = error instanceof Error ? error.message : String(error);
  /** @type {{ message?: string, error_code?: string, meta?: unknown, is_panic?: boolean }} */
  let data = { message: raw };
  try {
    const parsed = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') data = parsed;
  } catch {
    // a plain message: keep it as it is
  }
  return { code: 4466, message: 'An error happened. Check the data field for details.', data: { is_panic: false, ...data } };
}

/** @param {object} message */
function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** @param {ReturnType<typeof parseArgs>} args */
async function serveRpc(args) {
  const datamodels = /** @type {[string, string][]} */ (args.datamodels.map((file) => [file, fs.readFileSync(file, 'utf8')]));
  const url = args.url ?? process.env.DATABASE_URL;
  if (!url) throw new Error('schema-engine: no datasource url (pass --datasource or set DATABASE_URL)');
  // The CLI ends the engine with SIGTERM as soon as it has its answer: clean up shadow databases first.
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
    process.once(signal, () => {
      void dropOpenShadowDatabases().finally(() => process.exit(0));
    });
  }
  const engine = await startEngine({ url, datamodels: datamodels.length > 0 ? datamodels : undefined });
  let printId = 1_000_000;
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    if (request.result !== undefined || request.error !== undefined) continue; // the CLI's reply to a print
    const method = request.method === 'getDatabaseVersion' ? 'version' : request.method;
    try {
      if (typeof engine[method] !== 'function') throw new Error(`schema-engine: unknown method ${request.method}`);
      const result = await engine[method](request.params ?? {});
      if (method === 'diff' && result && typeof result.stdout === 'string' && result.stdout.length > 0) {
        send({ jsonrpc: '2.0', id: printId++, method: 'print', params: { content: result.stdout } });
      }
      send({ jsonrpc: '2.0', id: request.id, result: result ?? null });
    } catch (error) {
      send({ jsonrpc: '2.0', id: request.id, error: toRpcError(error) });
    }
  }
  await dropOpenShadowDatabases();
}

/** @param {string} url */
async function createDatabase(url) {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

/** @param {ReturnType<typeof parseArgs>} args */
async function runCliCommand(args) {
  if (!args.url) throw new Error('schema-engine: cli commands need --datasource');
  if (args.cliCommand === 'create-database') return createDatabase(args.url);
  if (args.cliCommand === 'can-connect-to-database') {
    const client = new pg.Client({ connectionString: args.url });
    await client.connect();
    await client.end();
    return;
  }
  throw new Error(`schema-engine: unsupported cli command ${args.cliCommand}`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    const glue = await engineGlue();
    process.stdout.write(`schema-engine-cli ${glue.version()} (wasm)\n`);
    return;
  }
  if (args.cliCommand) return runCliCommand(args);
  return serveRpc(args);
}

main().then(
  () => process.exit(0),
  (error) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${JSON.stringify({ level: 'ERROR', target: 'schema_engine', fields: { message } })}\n`);
    process.exit(1);
  },
);
