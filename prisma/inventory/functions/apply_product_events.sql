-- How a batch of product events changes stock: the rule the worker applies, in the database, in one
-- round trip (docs/decisions/0004 for the order-free rule, 0008 for the one round trip). The worker
-- calls it as its own transaction (inventory-core/src/data/product-stock-repository.ts).
--
-- Arrays are parallel, one element per delivered event, in delivery order; `version` is the version the
-- event speaks for and `rule` is 'snapshot' (created, updated) or 'removal' (deleted), both decided by
-- the caller. Answers each event's outcome by its ordinal (1-based): processed, stale or duplicate.
--
-- This file is the function as the latest migration that defines it leaves it; a test holds the two
-- equal. To change the rule: edit it here, copy it whole into a new migration as CREATE OR REPLACE
-- FUNCTION (prisma/README.md).
CREATE OR REPLACE FUNCTION apply_product_events(
  event_ids uuid[],
  types text[],
  stream_ids text[],
  product_ids uuid[],
  skus text[],
  names text[],
  versions int[],
  rules text[],
  initial_stock int
) RETURNS TABLE (ordinal int, outcome text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  fresh uuid[];
  counted boolean[];
  winners boolean[];
  changed uuid[];
BEGIN
  -- Locks the products, keys in one order, so that two batches never wait on each other in a circle.
  -- The lock serializes this transaction with any other that applies events of the same products: without
  -- it, a delete and a create of one product could each miss the other's uncommitted row.
  PERFORM count(pg_advisory_xact_lock(key)) FROM (
    SELECT DISTINCT hashtextextended(id::text, 0) AS key FROM unnest(product_ids) AS id ORDER BY key
  ) AS keys;

  -- Records the event ids, in one order too; the ids that were new are the ones to apply.
  WITH recorded AS (
    INSERT INTO processed_events (event_id, type, stream_id)
    SELECT e.id, e.type, e.stream_id FROM unnest(event_ids, types, stream_ids) AS e(id, type, stream_id) ORDER BY e.id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
  )
  SELECT coalesce(array_agg(event_id), '{}') INTO fresh FROM recorded;

  -- Of a new id delivered twice in the batch (a relay that published twice), the first copy counts; of
  -- each product's counted events the newest decides: the highest version, at one version a removal, and
  -- otherwise the first delivered. Both as flags by ordinal.
  WITH delivered AS (
    SELECT e.*, e.id IN (SELECT unnest(fresh)) AND row_number() OVER (PARTITION BY e.id ORDER BY e.ordinal) = 1 AS counts
    FROM unnest(event_ids, product_ids, versions, rules) WITH ORDINALITY AS e(id, product_id, version, rule, ordinal)
  ), ranked AS (
    SELECT d.ordinal, d.counts,
           d.counts AND row_number() OVER (
             PARTITION BY d.product_id, d.counts ORDER BY d.version DESC, d.rule = 'removal' DESC, d.ordinal
           ) = 1 AS decides
    FROM delivered d
  )
  SELECT array_agg(r.counts ORDER BY r.ordinal), array_agg(r.decides ORDER BY r.ordinal) INTO counted, winners FROM ranked r;

  -- A product with no record and no tombstone at or above this version gets one with initial_stock; a
  -- record at an older version takes the sku, name and version (an unversioned update, 0, always does).
  WITH incoming AS (
    SELECT e.product_id, e.sku, e.name, e.version AS product_version
    FROM unnest(product_ids, skus, names, versions, rules) WITH ORDINALITY AS e(product_id, sku, name, version, rule, ordinal)
    WHERE winners[e.ordinal] AND e.rule = 'snapshot'
  ), upserted AS (
    INSERT INTO inventory_items AS item (product_id, sku, name, quantity, product_version, updated_at)
    SELECT i.product_id, i.sku, i.name, initial_stock, i.product_version, now() FROM incoming i
    WHERE NOT EXISTS (
      SELECT 1 FROM product_tombstones t WHERE t.product_id = i.product_id AND t.product_version >= i.product_version
    )
    ON CONFLICT (product_id) DO UPDATE
      SET sku = EXCLUDED.sku, name = EXCLUDED.name, product_version = GREATEST(item.product_version, EXCLUDED.product_version),
          version = item.version + 1, updated_at = now()
      WHERE item.product_version < EXCLUDED.product_version OR EXCLUDED.product_version = 0
    RETURNING item.product_id
  )
  SELECT coalesce(array_agg(product_id), '{}') INTO changed FROM upserted;

  -- A removal leaves a tombstone at its version and deletes the record (with its reservations and ledger).
  WITH incoming AS (
    SELECT e.product_id, e.version AS product_version
    FROM unnest(product_ids, versions, rules) WITH ORDINALITY AS e(product_id, version, rule, ordinal)
    WHERE winners[e.ordinal] AND e.rule = 'removal'
  ), deleted AS (
    DELETE FROM inventory_items item USING incoming d
    WHERE item.product_id = d.product_id AND item.product_version <= d.product_version
  ), buried AS (
    INSERT INTO product_tombstones AS t (product_id, product_version, deleted_at)
    SELECT product_id, product_version, now() FROM incoming
    ON CONFLICT (product_id) DO UPDATE SET product_version = EXCLUDED.product_version, deleted_at = now()
      WHERE t.product_version < EXCLUDED.product_version
    RETURNING t.product_id
  )
  SELECT changed || coalesce(array_agg(product_id), '{}') INTO changed FROM buried;

  RETURN QUERY
    SELECT e.ordinal::int,
           CASE WHEN NOT counted[e.ordinal] THEN 'duplicate'
                WHEN winners[e.ordinal] AND e.product_id IN (SELECT unnest(changed)) THEN 'processed'
                ELSE 'stale' END
    FROM unnest(product_ids) WITH ORDINALITY AS e(product_id, ordinal)
    ORDER BY e.ordinal;
END;
$$;
