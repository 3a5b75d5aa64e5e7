import { Client } from 'pg';

/**
 * Makes the database refuse any inventory record whose sku starts with POISON, as a constraint added by
 * hand or a bug would: such an event fails every time while the database answers, so only it is retried
 * and dead-lettered. `cure` drops the trigger again.
 */
export async function poisonSkus(databaseUrl: string): Promise<{ cure(): Promise<void> }> {
  const run = async (sql: string) => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`
    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.sku LIKE 'POISON%' THEN RAISE EXCEPTION 'sku % is refused', NEW.sku; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON inventory_items FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
  return { cure: () => run('DROP TRIGGER refuse_poison ON inventory_items; DROP FUNCTION refuse_poison();') };
}
