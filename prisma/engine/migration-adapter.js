// @ts-check
// The driver adapter the WASM schema engine migrates through: @prisma/adapter-pg 7.10.1 with its
// three defects for migration work worked around (see prisma/README.md, "Offline migrations").
'use strict';
const { randomUUID } = require('node:crypto');
const pg = require('pg');
const { PrismaPg } = require('@prisma/adapter-pg');

const PG_INTERNAL_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** @param {any} result */
function reportCharAsText(result) {
  for (const one of Array.isArray(result) ? result : [result]) {
    for (const field of one?.fields ?? []) {
      if (field.dataTypeID === PG_INTERNAL_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/**
 * The engine inspects `pg_constraint.contype`, of Postgres' internal "char" type, which the adapter
 * refuses; it is a one-byte text, so it is reported as text.
 */
class CharAsTextClient extends pg.Client {
  /** @param {any[]} args */
  // @ts-ignore: pg.Client.query has many overloads; this forwards every one of them
  query(...args) {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (/** @type {unknown} */ error, /** @type {unknown} */ result) =>
        callback(error, error ? result : reportCharAsText(result));
      // @ts-ignore
      return super.query(...args);
    }
    // @ts-ignore
    const answer = super.query(...args);
    return answer && typeof answer.then === 'function' ? answer.then(reportCharAsText) : answer;
  }
}

/** @param {string} url @param {string} database */
function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * adapter-pg splits scripts on ";" and runs the pieces one by one; a migration runs whole, as one
 * implicit transaction, as the native engine does.
 * @param {any} adapter
 */
function runScriptsWhole(adapter) {
  adapter.executeScript = async (/** @type {string} */ script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  return adapter;
}

class MigrationAdapterFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';

  /** @param {string} url */
  constructor(url) {
    this.url = url;
    this.factory = new PrismaPg({ connectionString: url, Client: CharAsTextClient });
  }

  async connect() {
    return runScriptsWhole(await this.factory.connect());
  }

  /**
   * adapter-pg's own shadow database is created but never used: pg lets `connectionString`
   * override `database`, so the replay would run on the main database. This one connects to it.
   */
  async connectToShadowDb() {
    const admin = await this.connect();
    const database = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    await admin.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new MigrationAdapterFactory(withDatabase(this.url, database)).connect();
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  }
}

module.exports = { MigrationAdapterFactory, withDatabase };
