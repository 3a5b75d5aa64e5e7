import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppError } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma';
import { InventoryPrisma } from '@stockstream/prisma';
import type { InventoryQueryable as Queryable } from '@stockstream/inventory-core';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const SANE_KEY = /^[\x21-\x7e]{1,200}$/;

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
  const scope = `${req.method} ${req.baseUrl}${req.path}`;
  const requestHash = createHash('sha256')
    .update(JSON.stringify(req.body ?? null))
    .digest('hex');
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
