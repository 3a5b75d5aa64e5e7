import { z } from 'zod';
import { PageQuery, pageOf } from './pagination';
import { storableText } from './text';

export const Sku = z
  .string()
  .min(1, 'sku must not be empty')
  .max(64, 'sku must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'sku may contain only letters, digits, "-" and "_"')
  .meta({ example: 'TSHIRT-RED-M' });

/** Money as a decimal string, never a float: at most 12 digits before the point and 2 after. */
export const Price = z
  .string({ error: 'price must be a string like "19.99"' })
  .regex(/^\d{1,12}(\.\d{1,2})?$/, 'price must be a non-negative decimal string with at most 2 decimals, like "19.99"')
  .meta({ example: '19.99' });

export const ProductInput = z
  .strictObject({
    sku: Sku,
    name: storableText('name')
      .trim()
      .min(1, 'name must not be empty')
      .max(200, 'name must be at most 200 characters')
      .meta({ example: 'Red T-shirt, size M' }),
    description: storableText('description')
      .max(2000, 'description must be at most 2000 characters')
      .optional()
      .meta({ example: 'Organic cotton' }),
    price: Price,
  })
  .meta({ id: 'ProductInput', description: 'A product as the client sends it, to create one or to replace one whole' });
export type ProductInput = z.infer<typeof ProductInput>;

export const Product = z
  .object({
    id: z.uuid(),
    sku: Sku,
    name: z.string(),
    description: z.string().optional(),
    price: Price,
    version: z.number().int().min(1).meta({ description: 'Starts at 1, +1 on each change; the ETag carries it' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Product' });
export type Product = z.infer<typeof Product>;

export const ProductListQuery = PageQuery.extend({
  sku: Sku.optional().meta({ description: 'Only the product with this exact sku' }),
  name: storableText('name')
    .min(1, 'name must not be empty')
    .max(200, 'name must be at most 200 characters')
    .optional()
    .meta({ description: 'Only products whose name contains this, ignoring case' }),
});
export type ProductListQuery = z.infer<typeof ProductListQuery>;

export const ProductPage = pageOf(Product, 'ProductPage');
export type ProductPage = z.infer<typeof ProductPage>;

export const ProductIdParams = z.strictObject({ id: z.uuid('id must be a UUID') });
