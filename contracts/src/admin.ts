import { z } from 'zod';

/** Admin actions as the audit shows them (GET /admin/audit, the dead-letter page). */
export const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string().meta({ description: 'The name of the admin key, or cli:<user> for the dlq CLI' }),
    action: z.string().meta({ example: 'dead-letter.replay' }),
    target: z.string().nullable(),
    count: z.number().int().nullable(),
    outcome: z.string().meta({ example: 'ok' }),
    detail: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = z
  .object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditPage', description: 'Newest first' });
export type AuditPage = z.infer<typeof AuditPage>;

/** A background replay or purge of one cause's dead letters (GET /admin/jobs/{id}). */
export const DeadLetterJob = z
  .object({
    id: z.uuid(),
    kind: z.enum(['replay', 'purge']),
    cause: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    actor: z.string(),
    total: z.number().int().meta({ description: 'Letters of the cause when the job started' }),
    processed: z.number().int(),
    succeeded: z.number().int().meta({ description: 'Replayed or purged' }),
    skipped: z.number().int().meta({ description: 'Gone already, or not replayable (they stay, to purge)' }),
    error: z.string().nullable(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'DeadLetterJob' });
export type DeadLetterJob = z.infer<typeof DeadLetterJob>;
