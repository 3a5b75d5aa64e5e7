import { z } from 'zod';
import { PageQuery, pageOf } from './pagination';
import { Sku } from './product';
import { storableText } from './text';

/** Postgres integer: anything larger is refused as a 400, never overflows into a 500. */
export const MAX_STOCK = 2_147_483_647;

const Count = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(0, `${field} must not be negative`)
    .max(MAX_STOCK, `${field} must be at most ${MAX_STOCK}`);

export const InventoryItem = z
  .object({
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    quantity: z.number().int().min(0),
    reserved: z.number().int().min(0),
    available: z.number().int().min(0).meta({ description: 'quantity - reserved' }),
    version: z.number().int().min(1),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'InventoryItem' });
export type InventoryItem = z.infer<typeof InventoryItem>;

export const InventoryCreate = z
  .strictObject({
    productId: z.uuid('productId must be a UUID'),
    sku: Sku,
    name: storableText('name').trim().min(1, 'name must not be empty').max(200, 'name must be at most 200 characters'),
    quantity: Count('quantity').default(0),
  })
  .meta({ id: 'InventoryCreate' });
export type InventoryCreate = z.infer<typeof InventoryCreate>;

export const InventorySetQuantity = z.strictObject({ quantity: Count('quantity') }).meta({ id: 'InventorySetQuantity' });

export const Adjustment = z
  .strictObject({
    delta: z
      .number({ error: 'delta must be a number' })
      .int('delta must be a whole number')
      .min(-MAX_STOCK, `delta must be at least -${MAX_STOCK}`)
      .max(MAX_STOCK, `delta must be at most ${MAX_STOCK}`)
      .refine((delta) => delta !== 0, 'delta must not be zero')
      .meta({ example: -3 }),
    reason: storableText('reason')
      .trim()
      .min(1, 'reason must not be empty')
      .max(200, 'reason must be at most 200 characters')
      .meta({ example: 'damaged in warehouse' }),
  })
  .meta({ id: 'Adjustment' });
export type Adjustment = z.infer<typeof Adjustment>;

export const Reference = z
  .string()
  .min(1, 'reference must not be empty')
  .max(100, 'reference must be at most 100 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'reference may contain only letters, digits, ".", ":", "-" and "_"')
  .meta({ example: 'order-1042' });

export const ReservationInput = z
  .strictObject({
    quantity: Count('quantity')
      .refine((quantity) => quantity > 0, 'quantity must be at least 1')
      .meta({ example: 2 }),
    reference: Reference,
  })
  .meta({ id: 'ReservationInput' });
export type ReservationInput = z.infer<typeof ReservationInput>;

export const Reservation = z
  .object({ productId: z.uuid(), reference: z.string(), quantity: z.number().int(), createdAt: z.iso.datetime() })
  .meta({ id: 'Reservation' });
export type Reservation = z.infer<typeof Reservation>;

export const InventoryListQuery = PageQuery.extend({
  sku: Sku.optional().meta({ description: 'Only records with this exact sku' }),
  lowStock: z.coerce
    .number()
    .int('lowStock must be a whole number')
    .min(0, 'lowStock must not be negative')
    .max(MAX_STOCK)
    .optional()
    .meta({ description: 'Only records whose available stock is at most this' }),
});
export type InventoryListQuery = z.infer<typeof InventoryListQuery>;

export const InventoryPage = pageOf(InventoryItem, 'InventoryPage');

export const ProductIdPathParams = z.strictObject({ productId: z.uuid('productId must be a UUID') });
export const ReservationPathParams = ProductIdPathParams.extend({ reference: Reference });
