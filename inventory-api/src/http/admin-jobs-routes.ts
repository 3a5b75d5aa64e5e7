import { Router } from 'express';
import { z } from 'zod';
import { AppError, adminOnly, parseRequest } from '@stockstream/platform/http';
import type { InventoryAdmin } from '../admin/inventory-admin';

export const JobParams = z.strictObject({ id: z.uuid('not a job id (a UUID)') });

export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int('limit must be a whole number').min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'cursor must be the nextCursor of the page before')
    .optional(),
});

/** /admin/jobs: the dead-letter group jobs, with their progress. */
export function adminJobRoutes({ keys, jobs }: InventoryAdmin): Router {
  const router = Router();
  router.use(adminOnly(keys));
  router.get('/', async (_req, res) => {
    res.json({ items: await jobs.recent() });
  });
  router.get('/:id', async (req, res) => {
    const { id } = parseRequest(JobParams, req.params, 'params');
    const job = await jobs.get(id);
    if (!job) throw AppError.notFound(`Job ${id}`);
    res.json(job);
  });
  return router;
}

/** /admin/audit: every admin action, newest first, paged. */
export function adminAuditRoutes({ keys, audit }: InventoryAdmin): Router {
  const router = Router();
  router.use(adminOnly(keys));
  router.get('/', async (req, res) => {
    res.json(await audit.page(parseRequest(AuditQuery, req.query, 'query')));
  });
  return router;
}
