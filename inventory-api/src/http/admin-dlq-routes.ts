import { Router } from 'express';
import { z } from 'zod';
import { DeadLetterReason, storableText } from '@stockstream/contracts';
import { AppError } from '@stockstream/platform';
import { adminOnly, parseRequest } from '@stockstream/platform/http';
import type { DeadLetterQueue } from '@stockstream/inventory-core';

export const DeadLetterListQuery = z.strictObject({
  reason: DeadLetterReason.optional().meta({ description: 'Only dead letters of this reason' }),
  type: storableText('type').min(1).max(100).optional().meta({ description: 'The event type, such as product.created' }),
  limit: z.coerce.number().int('limit must be a whole number').min(1).max(1000).default(100),
});

const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;
const MAX_ID_PART = 2n ** 64n - 1n;

export const DeadLetterIdParams = z.strictObject({
  id: z
    .string()
    .regex(ENTRY_ID, 'id must be a stream entry id like 1700000000000-0')
    // Redis ids are two unsigned 64-bit numbers; a larger one is a client's mistake, not a Redis error.
    .refine((id) => !ENTRY_ID.test(id) || id.split('-').every((part) => BigInt(part) <= MAX_ID_PART), 'id parts must be at most 2^64 - 1')
    .meta({ example: '1700000000000-0' }),
});

export const ReplayAnswer = z.object({ id: z.string(), replayedAs: z.string() }).meta({ id: 'ReplayAnswer' });

function unknownLetter(id: string): AppError {
  return AppError.notFound(`Dead letter ${id}`);
}

/** /admin/dlq: the CLI's operations over HTTP, behind the admin API key. */
export function adminDeadLetterRoutes(queue: DeadLetterQueue, apiKey: string): Router {
  const router = Router();
  router.use(adminOnly(apiKey));

  router.get('/', async (req, res) => {
    res.json(await queue.list(parseRequest(DeadLetterListQuery, req.query, 'query')));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    const letter = await queue.get(id);
    if (!letter) throw unknownLetter(id);
    res.json(letter);
  });

  router.post('/:id/replay', async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    const replayedAs = (await queue.replay([id]))[id];
    if (!replayedAs) throw unknownLetter(id);
    res.json({ id, replayedAs });
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    if ((await queue.purge([id])).length === 0) throw unknownLetter(id);
    res.status(204).end();
  });

  return router;
}
