// A rule that lives in SQL lives in a file named for it (prisma/<database>/functions/<name>.sql), so that a
// newcomer finds it by name; migrations stay the way it reaches a database. This holds the two together:
// each file is, to the letter, the function as the latest migration that defines it leaves it.
import fs from 'node:fs';
import path from 'node:path';

const PRISMA = path.join(__dirname, '..');

/** The CREATE [OR REPLACE] FUNCTION statement of `name` in `sql`, from CREATE to the closing `$$;`. */
function definition(sql: string, name: string): string | undefined {
  const start = sql.search(new RegExp(`CREATE (OR REPLACE )?FUNCTION ${name}\\(`));
  if (start < 0) return undefined;
  const end = sql.indexOf('$$;', sql.indexOf('$$', start) + 2);
  return sql.slice(start, end + 3).replace(/^CREATE (OR REPLACE )?FUNCTION/, 'CREATE FUNCTION');
}

const rules = ['product', 'inventory'].flatMap((database) => {
  const dir = path.join(PRISMA, database, 'functions');
  return fs.existsSync(dir)
    ? fs.readdirSync(dir).map((file) => ({ database, file: path.join(dir, file), name: path.basename(file, '.sql') }))
    : [];
});

test('there is at least one rule file (apply_product_events)', () => {
  expect(rules.map((rule) => rule.name)).toContain('apply_product_events');
});

test.each(rules.map((rule) => [`${rule.database}/functions/${rule.name}.sql`, rule] as const))(
  '%s is the function as the latest migration that defines it leaves it',
  (_, { database, file, name }) => {
    const migrations = fs
      .readdirSync(path.join(PRISMA, database, 'migrations'))
      .filter((entry) => fs.existsSync(path.join(PRISMA, database, 'migrations', entry, 'migration.sql')))
      .sort()
      .map((entry) => fs.readFileSync(path.join(PRISMA, database, 'migrations', entry, 'migration.sql'), 'utf8'));
    const latest = migrations
      .map((sql) => definition(sql, name))
      .filter((found) => found !== undefined)
      .at(-1);
    expect(latest).toBeDefined();
    // To change the rule: edit the file, then copy its statement whole into a new migration.
    expect(definition(fs.readFileSync(file, 'utf8'), name)).toBe(latest);
  },
);
