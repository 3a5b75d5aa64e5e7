import type { InventoryItem } from '@stockstream/contracts';

/** An inventory row as the database holds it (raw queries answer in snake_case). */
export interface InventoryRecord {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  reserved: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toInventoryItem(row: InventoryRecord): InventoryItem {
  return {
    productId: row.product_id,
    sku: row.sku,
    name: row.name,
    quantity: row.quantity,
    reserved: row.reserved,
    available: row.quantity - row.reserved,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
