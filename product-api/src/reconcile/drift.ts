import type { ProductDb } from '@stockstream/prisma/product';
import type { InventoryDb } from '@stockstream/prisma/inventory';

/** A product as reconcile compares it. */
export interface ProductKey {
  id: string;
  version: number;
}

/** An inventory record as reconcile compares it. */
export interface RecordKey {
  productId: string;
  sku: string;
  productVersion: number;
  /** 'event': a product event made it; 'api': inventory-api made it on purpose. */
  origin: 'event' | 'api';
}

export type Drift =
  /** The product has no inventory record (its create was lost). */
  | { kind: 'missing'; product: ProductKey }
  /** A record whose product does not exist (its delete was lost, or inventory-api made it: see `origin`). */
  | { kind: 'orphan'; record: RecordKey }
  /** The record holds an older version of the product (an update was lost). */
  | { kind: 'behind'; product: ProductKey; record: RecordKey };

/** Pages of rows after a key, in key order; an empty page is the end. */
type Pager<T> = (after: string | undefined, limit: number) => Promise<T[]>;

function productPager(db: ProductDb): Pager<ProductKey> {
  return (after, limit) =>
    after === undefined
      ? db.$queryRaw`SELECT id::text, version FROM products ORDER BY id LIMIT ${limit}`
      : db.$queryRaw`SELECT id::text, version FROM products WHERE id > ${after}::uuid ORDER BY id LIMIT ${limit}`;
}

function recordPager(db: InventoryDb): Pager<RecordKey> {
  return (after, limit) =>
    after === undefined
      ? db.$queryRaw`SELECT product_id::text AS "productId", sku, product_version AS "productVersion", origin
                     FROM inventory_items ORDER BY product_id LIMIT ${limit}`
      : db.$queryRaw`SELECT product_id::text AS "productId", sku, product_version AS "productVersion", origin
                     FROM inventory_items WHERE product_id > ${after}::uuid ORDER BY product_id LIMIT ${limit}`;
}

/** Rows one at a time, fetched a page at a time: memory stays flat however many there are. */
async function* rows<T>(pager: Pager<T>, key: (row: T) => string, pageSize: number): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const page = await pager(after, pageSize);
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = key(last);
  }
}

/**
 * Walks the products and the inventory records side by side in id order (a merge join over two paged
 * scans, uuid order being the same in both databases) and reports each difference. Answers how many of
 * each side it saw.
 */
export async function findDrift(
  products: ProductDb,
  inventory: InventoryDb,
  pageSize: number,
  onDrift: (drift: Drift) => Promise<void>,
): Promise<{ products: number; records: number }> {
  const productRows = rows(productPager(products), (row) => row.id, pageSize);
  const recordRows = rows(recordPager(inventory), (row) => row.productId, pageSize);
  let product = (await productRows.next()).value as ProductKey | undefined;
  let record = (await recordRows.next()).value as RecordKey | undefined;
  const seen = { products: 0, records: 0 };
  const nextProduct = async () => {
    seen.products++;
    product = (await productRows.next()).value as ProductKey | undefined;
  };
  const nextRecord = async () => {
    seen.records++;
    record = (await recordRows.next()).value as RecordKey | undefined;
  };
  while (product || record) {
    if (product && (!record || product.id < record.productId)) {
      await onDrift({ kind: 'missing', product });
      await nextProduct();
    } else if (record && (!product || record.productId < product.id)) {
      await onDrift({ kind: 'orphan', record });
      await nextRecord();
    } else if (product && record) {
      if (record.productVersion < product.version) await onDrift({ kind: 'behind', product, record });
      await nextProduct();
      await nextRecord();
    }
  }
  return seen;
}
