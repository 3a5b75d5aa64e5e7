import { z } from 'zod';
import { DeadLetterFields, EVENT_VERSION, ProductCreated, ProductDeleted, ProductUpdated } from '@stockstream/contracts';

/** A zod schema as the JSON Schema (draft 7, AsyncAPI's default schema format) of what it outputs. */
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'any' });

const ON_THE_STREAM =
  'On the stream each top-level field is a string field of the entry: `version` is written as a string and `data` is its JSON.';

const message = (name: string, title: string, summary: string, schema: z.ZodType) => ({
  name,
  title,
  summary,
  contentType: 'application/json',
  description: ON_THE_STREAM,
  payload: jsonSchema(schema),
  correlationId: { description: 'The request that caused the event', location: '$message.payload#/correlationId' },
  traits: [{ $ref: '#/components/messageTraits/traced' }],
});

/**
 * The AsyncAPI 3.0 document of the product stream and its dead-letter stream, generated from the same
 * zod contracts as the OpenAPI documents (one schema, two documents). Served at /asyncapi.json.
 */
export function productAsyncApi(names: { stream: string; deadLetterStream: string; group: string }) {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'stockstream product events',
      version: `${EVENT_VERSION}.0.0`,
      description:
        'What product-api publishes (through its outbox) on a Redis Stream, and where inventory-worker puts what it cannot apply. The envelope is versioned: a new field is added as optional, a breaking change is a new `version`.',
    },
    defaultContentType: 'application/json',
    servers: {
      redis: {
        host: '127.0.0.1:6379',
        protocol: 'redis',
        description: 'REDIS_URL (or a Sentinel or Cluster); the stream names come from PRODUCT_STREAM and DEAD_LETTER_STREAM',
      },
    },
    channels: {
      productEvents: {
        address: names.stream,
        title: 'The product stream',
        description: `A Redis Stream (XADD by product-api's outbox relay); read by the consumer group \`${names.group}\`. Delivery is at least once, in no order across workers: consumers apply each event id once and order a product's events by \`data.productVersion\`.`,
        messages: {
          productCreated: { $ref: '#/components/messages/productCreated' },
          productUpdated: { $ref: '#/components/messages/productUpdated' },
          productDeleted: { $ref: '#/components/messages/productDeleted' },
        },
      },
      deadLetters: {
        address: names.deadLetterStream,
        title: 'The dead-letter stream',
        description: 'What the workers could not apply, with why: inspected, replayed and purged by operators (/admin, npm run dlq).',
        messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
      },
    },
    operations: {
      publishProductEvents: {
        action: 'send',
        channel: { $ref: '#/channels/productEvents' },
        title: 'product-api publishes each committed change',
        messages: [
          { $ref: '#/channels/productEvents/messages/productCreated' },
          { $ref: '#/channels/productEvents/messages/productUpdated' },
          { $ref: '#/channels/productEvents/messages/productDeleted' },
        ],
      },
      consumeProductEvents: {
        action: 'receive',
        channel: { $ref: '#/channels/productEvents' },
        title: `inventory-worker applies them (consumer group ${names.group})`,
        messages: [
          { $ref: '#/channels/productEvents/messages/productCreated' },
          { $ref: '#/channels/productEvents/messages/productUpdated' },
          { $ref: '#/channels/productEvents/messages/productDeleted' },
        ],
      },
      deadLetter: {
        action: 'send',
        channel: { $ref: '#/channels/deadLetters' },
        title: 'inventory-worker moves what it cannot apply',
        messages: [{ $ref: '#/channels/deadLetters/messages/deadLetter' }],
      },
    },
    components: {
      messages: {
        productCreated: message(
          'product.created',
          'Product created',
          'A product was created: its inventory record is made with the initial stock',
          ProductCreated,
        ),
        productUpdated: message(
          'product.updated',
          'Product updated',
          'A product changed: its record takes the newer version',
          ProductUpdated,
        ),
        productDeleted: message(
          'product.deleted',
          'Product deleted',
          'A product was deleted: its record goes, and older events of it change nothing',
          ProductDeleted,
        ),
        deadLetter: {
          name: 'dead-letter',
          title: 'Dead letter',
          summary: 'An entry the workers could not apply, with why',
          contentType: 'application/json',
          description: 'Every field is a string field of the entry; `fields` is the original entry as JSON (its traceparent kept).',
          payload: jsonSchema(DeadLetterFields),
        },
      },
      messageTraits: {
        traced: {
          description:
            'The W3C trace context of the request that caused the event rides in the envelope (`traceparent`, optional), so that the worker applies it in the same trace (OpenTelemetry messaging conventions).',
        },
      },
    },
  };
}
