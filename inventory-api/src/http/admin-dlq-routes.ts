import { Router } from 'express';
import { z } from 'zod';
import { CauseId, DeadLetterId, DeadLetterListQuery } from '@stockstream/contracts';
import { AppError, actorOf, adminOnly, parseRequest } from '@stockstream/platform/http';
import type { InventoryAdmin } from '../admin/inventory-admin';
import { purgeOne, replayOne } from '../admin/audited-actions';
import { JobRunningError, NoSuchCauseError } from '../admin/cause-jobs';

export { DeadLetterListQuery };

export const DeadLetterIdParams = z.strictObject({ id: DeadLetterId });
export const CauseParams = z.strictObject({ id: CauseId });

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

/** Starting a group job: 404 for a cause without letters, 409 while another job on it runs. */
export function jobProblem(error: unknown): never {
  if (error instanceof NoSuchCauseError) throw AppError.notFound('Dead-letter group');
  if (error instanceof JobRunningError) {
    throw AppError.conflict('job-running', `A job on this group is running: ${error.jobId}`, undefined, { runningJobId: error.jobId });
  }
  throw error;
}

/** /admin/dlq: the CLI's operations over HTTP, behind an admin key; every change is audited. */
export function adminDeadLetterRoutes(admin: InventoryAdmin): Router {
  const { keys, deadLetters, jobs } = admin;
  const router = Router();
  router.use(adminOnly(keys));

  router.get('/', async (req, res) => {
    res.json(await deadLetters.list(parseRequest(DeadLetterListQuery, req.query, 'query')));
  });

  router.get('/groups', async (_req, res) => {
    res.json({ items: await deadLetters.groups() });
  });

  router.get('/groups/:id', async (req, res) => {
    const { id } = parseRequest(CauseParams, req.params, 'params');
    const group = await deadLetters.group(id);
    if (!group) throw AppError.notFound('Dead-letter group');
    res.json(group);
  });

  for (const kind of ['replay', 'purge'] as const) {
    router.post(`/groups/:id/${kind}`, async (req, res) => {
      const { id } = parseRequest(CauseParams, req.params, 'params');
      const job = await jobs.start(kind, id, actorOf(res)).catch(jobProblem);
      res.status(202).location(`/admin/jobs/${job.id}`).json(job);
    });
  }

  router.get('/:id', async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    const letter = await deadLetters.get(id);
    if (!letter) throw unknownLetter(id);
    res.json(letter);
  });

  router.post('/:id/replay', async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    const replayed = await replayOne(admin, actorOf(res), id);
    if (replayed.outcome === 'replayed') res.json({ id, replayedAs: replayed.replayedAs });
    else if (replayed.outcome === 'unreplayable') throw unreplayable(id, replayed.problem);
    else throw unknownLetter(id);
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    if (!(await purgeOne(admin, actorOf(res), id))) throw unknownLetter(id);
    res.status(204).end();
  });

  return router;
}
