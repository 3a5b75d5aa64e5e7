// @ts-check
// The driver adapter the WASM schema engine migrates through: @prisma/adapter-pg 7.10.1 with its
// three defects for migration work worked around (see prisma/README.md, "Offline migrations").
'use strict';
const { randomUUID } = require('node:crypto');
const pg = require('pg');
const { PrismaPg } = require('@prisma/adapter-pg');
const { ColumnTypeEnum } = require('@prisma/driver-adapter-utils');

const PG_INTERNAL_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** Result rows (by identity) → the indexes of their columns that are of Postgres' internal "char" type. */
const charColumnsOf = new WeakMap();

/** @param {any} result */
function noteCharColumns(result) {
  for (const one of Array.isArray(result) ? result : [result]) {
    const indexes = [];
    (one?.fields ?? []).forEach((/** @type {any} */ field, /** @type {number} */ index) => {
      if (field.dataTypeID !== PG_INTERNAL_CHAR_OID) return;
      field.dataTypeID = PG_TEXT_OID; // so that adapter-pg accepts the row at all
      indexes.push(index);
    });
    if (indexes.length > 0 && Array.isArray(one.rows)) charColumnsOf.set(one.rows, indexes);
  }
  return result;
}

/**
 * The engine reads `pg_constraint.contype`, of Postgres' internal one-byte "char" type (OID 18), which
 * adapter-pg refuses. This client lets such rows through as text and remembers which columns they were.
 */
class CharAwareClient extends pg.Client {
  /** @param {any[]} args */
  // @ts-ignore: pg.Client.query has many overloads; this forwards every one of them
  query(...args) {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (/** @type {unknown} */ error, /** @type {unknown} */ result) =>
        callback(error, error ? result : noteCharColumns(result));
      // @ts-ignore
      return super.query(...args);
    }
    // @ts-ignore
    const answer = super.query(...args);
    return answer && typeof answer.then === 'function' ? answer.then(noteCharColumns) : answer;
  }
}

/**
 * ...and reports those columns to the engine as Character, the type it reads them as (as text it
 * panics on the first CHECK constraint it inspects).
 * @param {any} queryable an adapter or one of its transactions
 */
function reportCharColumns(queryable) {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (/** @type {unknown} */ query) => {
    const result = await queryRaw(query);
    for (const index of charColumnsOf.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  if (typeof queryable.startTransaction === 'function') {
    const startTransaction = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (/** @type {unknown[]} */ ...args) => reportCharColumns(await startTransaction(...args));
  }
  return queryable;
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

/** Shadow databases not disposed yet: the engine does not always dispose them before the CLI closes it. */
/** @type {Map<string, () => Promise<void>>} */
const openShadows = new Map();

async function dropOpenShadowDatabases() {
  for (const drop of [...openShadows.values()]) await drop();
}

class MigrationAdapterFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';

  /** @param {string} url */
  constructor(url) {
    this.url = url;
    this.factory = new PrismaPg({ connectionString: url, Client: CharAwareClient });
  }

  async connect() {
    return reportCharColumns(runScriptsWhole(await this.factory.connect()));
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
    const drop = async () => {
      if (!openShadows.delete(database)) return;
      await disposeShadow();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.dispose();
    };
    openShadows.set(database, drop);
    shadow.dispose = drop;
    return shadow;
  }
}

module.exports = { MigrationAdapterFactory, withDatabase, dropOpenShadowDatabases };
