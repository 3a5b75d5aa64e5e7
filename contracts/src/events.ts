import { z } from 'zod';
import { storableText } from './text';

/**
 * The versioned event envelope on the product stream. A new field is added as optional, so that the
 * entries already in the stream still parse; a breaking change is a new `version`.
 */
export const EVENT_VERSION = 1 as const;

/** A W3C traceparent: version, trace id, parent span id, flags. */
export const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

const EnvelopeBase = z.object({
  id: z.uuid().meta({ description: 'The event id: consumers apply each id once' }),
  version: z.literal(EVENT_VERSION),
  occurredAt: z.iso.datetime(),
  correlationId: storableText('correlationId').max(200).optional().meta({ description: 'The request id of the call that caused it' }),
  traceparent: z
    .string()
    .regex(TRACEPARENT)
    .optional()
    // Trace context is never a reason to refuse an event: a malformed one is dropped.
    .catch(undefined)
    .meta({ description: 'The W3C trace context of the request that caused it (OpenTelemetry); absent when tracing is off' }),
});

export const ProductSnapshot = z.object({
  productId: z.uuid(),
  sku: storableText('sku').min(1).max(64),
  name: storableText('name').min(1).max(200),
  price: storableText('price').max(20),
  productVersion: z.number().int().min(1).optional(),
});
export type ProductSnapshot = z.infer<typeof ProductSnapshot>;

export const ProductDeletedData = z.object({
  productId: z.uuid(),
  sku: storableText('sku').min(1).max(64),
  productVersion: z.number().int().min(1).optional(),
});

export const ProductCreated = EnvelopeBase.extend({ type: z.literal('product.created'), data: ProductSnapshot });
export const ProductUpdated = EnvelopeBase.extend({ type: z.literal('product.updated'), data: ProductSnapshot });
export const ProductDeleted = EnvelopeBase.extend({ type: z.literal('product.deleted'), data: ProductDeletedData });

export const ProductEvent = z.discriminatedUnion('type', [ProductCreated, ProductUpdated, ProductDeleted]);
export type ProductEvent = z.infer<typeof ProductEvent>;
export type ProductEventType = ProductEvent['type'];

/** The flat string fields of one stream entry; `data` is JSON. */
export type StreamFields = Record<string, string>;

export function toStreamFields(event: ProductEvent): StreamFields {
  return {
    id: event.id,
    type: event.type,
    version: String(event.version),
    occurredAt: event.occurredAt,
    ...(event.correlationId === undefined ? {} : { correlationId: event.correlationId }),
    ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }),
    data: JSON.stringify(event.data),
  };
}

export type ParsedStreamEntry = { ok: true; event: ProductEvent } | { ok: false; error: string; eventId?: string; type?: string };

/** Reads one entry back; never throws, since anything can be written to a stream. */
export function parseStreamFields(fields: StreamFields): ParsedStreamEntry {
  let data: unknown;
  try {
    data = fields.data === undefined ? undefined : JSON.parse(fields.data);
  } catch {
    return { ok: false, error: 'data: not valid JSON', eventId: fields.id, type: fields.type };
  }
  const parsed = ProductEvent.safeParse({
    id: fields.id,
    type: fields.type,
    version: fields.version === undefined ? undefined : Number(fields.version),
    occurredAt: fields.occurredAt,
    correlationId: fields.correlationId,
    traceparent: fields.traceparent,
    data,
  });
  if (parsed.success) return { ok: true, event: parsed.data };
  const error = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message}`).join('; ');
  return { ok: false, error, eventId: fields.id, type: fields.type };
}
