import { Router } from 'express';
import { z } from 'zod';
import { DeadLetterId, DeadLetterReason, storableText } from '@stockstream/contracts';
import { AppError, adminOnly, parseRequest } from '@stockstream/platform/http';
import type { DeadLetterQueue } from '@stockstream/inventory-core';

export const DeadLetterListQuery = z.strictObject({
  reason: DeadLetterReason.optional().meta({ description: 'Only dead letters of this reason' }),
  type: storableText('type').min(1).max(100).optional().meta({ description: 'The event type, such as product.created' }),
  limit: z.coerce.number().int('limit must be a whole number').min(1).max(1000).default(100),
});

export const DeadLetterIdParams = z.strictObject({ id: DeadLetterId });

export const ReplayAnswer = z.object({ id: z.string(), replayedAs: z.string() }).meta({ id: 'ReplayAnswer' });

function unknownLetter(id: string): AppError {
  return AppError.notFound(`Dead letter ${id}`);
}

/** The dead-letter stream is where malformed entries are expected: one that cannot go back is the letter's fault. */
function unreplayable(id: string, problem: string): AppError {
  return new AppError({
    status: 422,
    type: 'unreplayable-dead-letter',
    title: 'Dead letter cannot be replayed',
    detail: `Dead letter ${id} cannot be replayed: ${problem}. Purge it, or put a corrected event on the stream.`,
    errors: [{ path: 'params.id', message: problem }],
  });
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
    const [replayed] = await queue.replay([id]);
    if (replayed?.outcome === 'replayed') res.json({ id, replayedAs: replayed.replayedAs });
    else if (replayed?.outcome === 'unreplayable') throw unreplayable(id, replayed.problem);
    else throw unknownLetter(id);
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    if ((await queue.purge([id])).length === 0) throw unknownLetter(id);
    res.status(204).end();
  });

  return router;
}
