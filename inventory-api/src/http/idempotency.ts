import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppError, routeTemplate } from '@stockstream/platform/http';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { InventoryPrisma } from '@stockstream/prisma/inventory';
import type { InventoryQueryable as Queryable } from '@stockstream/inventory-core';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const SANE_KEY = /^[\x21-\x7e]{1,200}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a key is claimed for: the method, the route as written and its ids in canonical (lower) case, so
 * that /api/inventory/ABC…, /api/inventory/abc…/ and /api/inventory/%61bc… are one request.
 */
function scopeOf(req: Request): string {
  const params = Object.entries(req.params as Record<string, string>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${UUID.test(value) ? value.toLowerCase() : value}`)
    .join('&');
  return `${req.method} ${routeTemplate(req)}${params ? ` ${params}` : ''}`;
}

/** JSON with every object's keys sorted, so that the same body with its fields in another order is the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function storedAnswer(row: { status: number; body: unknown; headers: unknown }): Answer {
  return { status: row.status, body: row.body, headers: { ...(row.headers as Record<string, string>), 'Idempotent-Replayed': 'true' } };
}

/**
 * Runs a POST in one transaction. With an Idempotency-Key, the key is claimed in that same transaction
 * and the answer stored with it: a retry with the same key and body gets the stored answer and applies
 * nothing; one that races the first waits for it on the key's unique index; another body → 422.
 */
export async function answerOnce(db: InventoryDb, req: Request, work: (tx: Queryable) => Promise<Answer>): Promise<Answer> {
  const key = req.get('idempotency-key');
  if (key === undefined) return db.$transaction(work);
  if (!SANE_KEY.test(key)) {
    throw AppError.validation([{ path: 'headers.idempotency-key', message: 'must be 1 to 200 visible ASCII characters' }]);
  }
  const scope = scopeOf(req);
  const requestHash = createHash('sha256').update(canonicalJson(req.body)).digest('hex');
  return db.$transaction(async (tx) => {
    const claimed = await tx.$executeRaw`
      INSERT INTO idempotent_requests (scope, key, request_hash, status, body)
      VALUES (${scope}, ${key}, ${requestHash}, 0, 'null') ON CONFLICT DO NOTHING`;
    if (claimed === 0) {
      const previous = await tx.idempotentRequest.findUniqueOrThrow({ where: { scope_key: { scope, key } } });
      if (previous.requestHash !== requestHash) {
        throw new AppError({
          status: 422,
          type: 'idempotency-key-reused',
          title: 'Idempotency-Key reused',
          detail: 'This Idempotency-Key was used with another body; use a new key for a new request',
          errors: [{ path: 'headers.idempotency-key', message: 'already used with another body' }],
        });
      }
      return storedAnswer(previous);
    }
    const answer = await work(tx);
    await tx.idempotentRequest.update({
      where: { scope_key: { scope, key } },
      data: { status: answer.status, body: answer.body as InventoryPrisma.InputJsonValue, headers: answer.headers ?? {} },
    });
    return answer;
  });
}

export function send(res: Response, answer: Answer): void {
  res.status(answer.status).set(answer.headers ?? {});
  if (answer.body === undefined || answer.status === 204) res.end();
  else res.json(answer.body);
}
