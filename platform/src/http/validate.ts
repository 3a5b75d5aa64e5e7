import type { z } from 'zod';
import { AppError } from './app-error';

type Part = 'body' | 'query' | 'params' | 'headers';

/** Parses one part of a request; a failure is a 400 that names each bad field. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, part: Part): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw AppError.validation(
    result.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ path: [part, ...issue.path, key].join('.'), message: `unknown field "${key}"` }));
      }
      const path = [part, ...issue.path].join('.');
      const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
      return [{ path, message: missing ? `${String(issue.path.at(-1) ?? part)} is required` : issue.message }];
    }),
  );
}
