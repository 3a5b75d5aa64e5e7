import { z } from 'zod';

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
    deliveries: z.number().int(),
    failedAt: z.string(),
    eventId: z.string().optional(),
    type: z.string().optional(),
    original: z.record(z.string(), z.unknown()).meta({ description: 'The original entry fields; data is parsed when it is JSON' }),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetter = z.infer<typeof DeadLetter>;
