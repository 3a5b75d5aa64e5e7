import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate, migrate). The services read their URL from validated config.
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: {
    url: process.env.INVENTORY_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/stockstream_inventory',
  },
});
