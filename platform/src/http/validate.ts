import type { z } from 'zod';
import { AppError } from './app-error';

type Part = 'body' | 'query' | 'params' | 'headers';

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Parses one part of a request; a failure is a 400 that names each bad field. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, part: Part): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [part, ...issue.path, key].join('.'), message: `unknown field "${key}"` }));
    }
    const path = [part, ...issue.path].join('.');
    const missing = issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined;
    return [{ path, message: missing ? `${String(issue.path.at(-1) ?? part)} is required` : issue.message }];
  });
  // One message per field: the first rule it breaks.
  throw AppError.validation(errors.filter((error, index) => errors.findIndex((other) => other.path === error.path) === index));
}
