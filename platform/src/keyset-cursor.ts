/** Keyset position in the (createdAt, id) order: stable while rows are added and removed. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor({ createdAt, id }: Cursor): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A list cursor this API did not give out: the client's mistake (the HTTP layer answers 400 on query.cursor). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('cursor is not one this API gave out');
  }
}

/** Only what encodeCursor makes: a canonical time Postgres can hold and a UUID, else an InvalidCursorError. */
export function decodeCursor(cursor: string): Cursor {
  const [iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(iso ?? '');
  const year = createdAt.getUTCFullYear();
  const canonical = !Number.isNaN(createdAt.getTime()) && year >= 1970 && year <= 9999 && createdAt.toISOString() === iso;
  if (rest.length > 0 || !id || !UUID.test(id) || !canonical) {
    throw new InvalidCursorError();
  }
  return { createdAt, id };
}
