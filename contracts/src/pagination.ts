import { z } from 'zod';
import { storableText } from './text';

export const MAX_PAGE_SIZE = 100;

export const PageQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`)
    .default(20)
    .meta({ description: `Items per page, 1 to ${MAX_PAGE_SIZE}` }),
  cursor: storableText('cursor')
    .max(200, 'cursor must be at most 200 characters')
    .optional()
    .meta({ description: 'The nextCursor of the previous page; omit it for the first page' }),
});

/** A page of items in a stable order; nextCursor is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Pass as cursor to get the next page; null when there is none' }),
    })
    .meta({ id });
}
