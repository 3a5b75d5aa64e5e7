import { createHash } from 'node:crypto';

/** What groups dead letters: their reason and their error with the parts that vary per letter taken out. */
export interface Cause {
  /** 12 hex digits, stable across processes and releases for one reason and fingerprint. */
  id: string;
  fingerprint: string;
}

// Order matters: quoted values first (they may hold ids and numbers), then ids, then any number.
const VARYING: [RegExp, string][] = [
  [/"(?:[^"\\]|\\.)*"/g, '"…"'],
  [/'(?:[^'\\]|\\.)*'/g, "'…'"],
  [/`[^`]*`/g, '`…`'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b\d+-\d+\b/g, '<id>'],
  [/\b[0-9a-f]*\d[0-9a-f]*\b/gi, '<n>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
];

/** The error as a cause: ids, numbers and quoted values replaced by placeholders, whitespace collapsed. */
export function fingerprintOf(error: string): string {
  let text = error.slice(0, 2000);
  for (const [pattern, placeholder] of VARYING) text = text.replace(pattern, placeholder);
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export function causeOf(reason: string, error: string): Cause {
  const fingerprint = fingerprintOf(error);
  const id = createHash('sha256').update(`${reason}\n${fingerprint}`).digest('hex').slice(0, 12);
  return { id, fingerprint };
}
