import { AppError } from './http/app-error';

/** Keyset position in the (createdAt, id) order: stable while rows are added and removed. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor({ createdAt, id }: Cursor): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) {
    throw AppError.validation([{ path: 'query.cursor', message: 'cursor is not one this API gave out' }]);
  }
  return { createdAt, id };
}
