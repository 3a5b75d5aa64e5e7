// @ts-check
// Loads Prisma's schema engine, compiled to WebAssembly, from the pinned `prisma` package.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
const { MigrationAdapterFactory } = require('./migration-adapter');

/** @type {Promise<any> | undefined} */
let glueLoaded;

function wasmPath() {
  // prisma ships the engine built from the exact hash its CLI pins; the npm package only lends its JS glue.
  return path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'schema_engine_bg.wasm');
}

async function loadGlue() {
  /** @type {{ panic?: string }} */
  const panics = {};
  Object.assign(globalThis, {
    PRISMA_WASM_PANIC_REGISTRY: {
      set_message(/** @type {string} */ message) {
        panics.panic = message;
        process.stderr.write(`schema-engine panic: ${message}\n`);
      },
    },
  });
  const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath()));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  /** @type {any} */ (instance.exports).__wbindgen_start();
  return glue;
}

function engineGlue() {
  glueLoaded ??= loadGlue();
  return glueLoaded;
}

/**
 * @param {{ url: string, datamodels?: [string, string][], log?: (line: string) => void }} options
 */
async function startEngine({ url, datamodels, log = () => {} }) {
  const glue = await engineGlue();
  const adapter = bindMigrationAwareSqlAdapterFactory(/** @type {any} */ (new MigrationAdapterFactory(url)));
  return glue.SchemaEngine.new({ datamodels }, log, adapter);
}

module.exports = { startEngine, engineGlue };
