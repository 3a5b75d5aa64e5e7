// The pool, the databases' names and URLs, and error checks. Each database's client has its own entry
// (`@stockstream/prisma/product`, `/inventory`), and so has the migration tooling (`/migrate`), so that a
// process loads only what it uses.
export * from './clients';
export * from './databases';
export * from './errors';
