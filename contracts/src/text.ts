import { z } from 'zod';

/** A UTF-16 surrogate without its partner: not a character, and not storable as UTF-8 or JSON in Postgres. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text that Postgres can store: no NUL character (text columns refuse it) and no lone surrogate (JSON
 * and UTF-8 refuse it). Every free-text field, query and event field is built on it, so such input is a
 * 400 that names the field, and such an event is invalid at once, never a failure later.
 */
export const storableText = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .refine((value) => !value.includes('\u0000'), `${field} must not contain the NUL character (U+0000)`)
    .refine((value) => !LONE_SURROGATE.test(value), `${field} must be valid Unicode (it has a lone surrogate)`);
