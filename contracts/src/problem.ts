import { z } from 'zod';

/** One invalid input, named by its dotted path ("price", "items.0.quantity", "query.limit"). */
export const FieldError = z
  .object({
    path: z.string().meta({ example: 'price' }),
    message: z.string().meta({ example: 'Price must be a decimal string with at most 2 decimals, like "19.99"' }),
  })
  .meta({ id: 'FieldError' });
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem details, the body of every error answer. */
export const Problem = z
  .object({
    type: z.string().meta({ example: 'https://stockstream.dev/problems/validation' }),
    title: z.string().meta({ example: 'Your request is not valid' }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().optional().meta({ example: 'body.price: must be a decimal string' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(FieldError).optional(),
    available: z.number().int().optional().meta({ description: 'For insufficient-stock: what can still be taken' }),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;
