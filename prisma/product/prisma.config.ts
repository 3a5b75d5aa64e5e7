import { defineConfig } from 'prisma/config';
import { DATABASES } from '../src/databases';

// Used by the Prisma CLI only (generate, migrate). The services read their URL from validated config.
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: {
    url: process.env.PRODUCT_DATABASE_URL ?? DATABASES.product.defaultUrl,
  },
});
