import path from 'node:path';

// Resolved from the package root, so it holds both for the compiled code (dist/src) and for the sources under jest.
const PACKAGE_ROOT = path.dirname(require.resolve('@stockstream/prisma/package.json'));

/** The two databases: each has its schema, migrations and Prisma config under prisma/<name>/. */
export const DATABASES = {
  product: {
    configPath: path.join(PACKAGE_ROOT, 'product', 'prisma.config.ts'),
    urlVariable: 'PRODUCT_DATABASE_URL',
    defaultUrl: 'postgresql://postgres@127.0.0.1:5432/stockstream_products',
  },
  inventory: {
    configPath: path.join(PACKAGE_ROOT, 'inventory', 'prisma.config.ts'),
    urlVariable: 'INVENTORY_DATABASE_URL',
    defaultUrl: 'postgresql://postgres@127.0.0.1:5432/stockstream_inventory',
  },
} as const;

export type DatabaseName = keyof typeof DATABASES;

/** The offline stand-in for Prisma's native schema engine (see prisma/README.md). */
export const SCHEMA_ENGINE_PATH = path.join(PACKAGE_ROOT, 'engine', 'schema-engine.js');
export const PRISMA_CLI_PATH = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
