import { z } from 'zod';
import { storableText } from './text';

/**
 * An entry of the dead-letter stream: the original entry (its id and its fields, as JSON) and why it
 * failed. Replaying puts the original fields back on the main stream, with the same event id.
 */
export const DeadLetterReason = z.enum(['invalid', 'max-deliveries', 'trimmed']);
export type DeadLetterReason = z.infer<typeof DeadLetterReason>;

const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;
const MAX_ID_PART = 2n ** 64n - 1n;

/**
 * A dead letter's id: a whole stream entry id, `<ms>-<seq>`. Redis reads `<ms>` alone as a range over
 * that millisecond, so an id without its `-seq` could name another letter: it is refused everywhere.
 */
export const DeadLetterId = z
  .string()
  .regex(ENTRY_ID, 'not a dead-letter id: a stream entry id like 1700000000000-0')
  // Redis ids are two unsigned 64-bit numbers; a larger one is a client's mistake, not a Redis error.
  .refine((id) => !ENTRY_ID.test(id) || id.split('-').every((part) => BigInt(part) <= MAX_ID_PART), 'id parts must be at most 2^64 - 1')
  .meta({ example: '1700000000000-0' });

export const DeadLetterFields = z.object({
  originalId: z.string(),
  originalStream: z.string(),
  group: z.string(),
  consumer: z.string(),
  reason: DeadLetterReason,
  error: z.string(),
  cause: z.string().optional().meta({ description: 'The id of the cause (reason and error fingerprint) it is grouped under' }),
  deliveries: z.coerce.number().int(),
  failedAt: z.iso.datetime(),
  eventId: z.string().optional(),
  type: z.string().optional(),
  fields: z.string().meta({ description: 'The original entry fields, as JSON' }),
});
export type DeadLetterFields = z.infer<typeof DeadLetterFields>;

export const DeadLetter = z
  .object({
    id: z.string().meta({ description: 'The id of the entry in the dead-letter stream' }),
    originalId: z.string(),
    originalStream: z.string(),
    group: z.string(),
    consumer: z.string(),
    reason: z.string(),
    error: z.string(),
    cause: z.string().meta({ description: 'The id of its cause: dead letters of one reason and error fingerprint share it' }),
    deliveries: z.number().int(),
    failedAt: z.string(),
    eventId: z.string().optional(),
    type: z.string().optional(),
    original: z.record(z.string(), z.unknown()).meta({ description: 'The original entry fields; data is parsed when it is JSON' }),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DeadLetterOrder = z.enum(['newest', 'oldest']);

export const DeadLetterPage = z
  .object({
    items: z.array(DeadLetter),
    nextCursor: z.string().nullable().meta({
      description:
        'Pass as cursor to go on; null when there is no more. A filtered page may hold fewer than limit (a page reads a bounded stretch of the stream): follow nextCursor until null.',
    }),
  })
  .meta({ id: 'DeadLetterPage' });
export type DeadLetterPage = z.infer<typeof DeadLetterPage>;

/** Dead letters of one cause: one reason, one error fingerprint. */
export const DeadLetterGroup = z
  .object({
    id: z.string().meta({ description: 'The cause id (12 hex digits)', example: '3f2a9c01b7de' }),
    reason: z.string(),
    fingerprint: z.string().meta({ description: 'The error with ids, numbers and quoted values taken out' }),
    count: z.number().int(),
    firstSeen: z.string().meta({ description: 'When its oldest letter failed' }),
    lastSeen: z.string().meta({ description: 'When its newest letter failed' }),
    types: z.record(z.string(), z.number().int()).meta({ description: 'Letters per event type' }),
    example: DeadLetter.nullable().meta({ description: 'Its oldest letter' }),
  })
  .meta({ id: 'DeadLetterGroup' });
export type DeadLetterGroup = z.infer<typeof DeadLetterGroup>;

export const CauseId = z
  .string()
  .regex(/^[0-9a-f]{12}$/, 'not a cause id: 12 hex digits')
  .meta({ example: '3f2a9c01b7de' });

const text = (name: string, description: string) => storableText(name).min(1).max(200).optional().meta({ description });
const instant = (name: string, description: string) =>
  z.iso
    .datetime({ offset: true, error: `${name} must be an ISO 8601 date-time` })
    .pipe(z.coerce.date())
    .optional()
    .meta({ description });

/** GET /admin/dlq's query (and the dlq CLI's filters). */
export const DeadLetterListQuery = z.strictObject({
  order: DeadLetterOrder.default('newest').meta({ description: 'newest (default) or oldest first' }),
  limit: z.coerce.number().int('limit must be a whole number').min(1).max(500).default(100),
  cursor: DeadLetterId.optional().meta({ description: 'The nextCursor of the page before' }),
  reason: DeadLetterReason.optional().meta({ description: 'Only dead letters of this reason' }),
  type: text('type', 'The event type, such as product.created'),
  productId: text('productId', 'The product the event is about'),
  eventId: text('eventId', 'The event id'),
  q: text('q', 'Text the error contains (any case)'),
  cause: CauseId.optional().meta({ description: 'Only the letters of this cause (see /admin/dlq/groups)' }),
  since: instant('since', 'Failed at or after'),
  until: instant('until', 'Failed at or before'),
});
