import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { Problem } from '@stockstream/contracts';

export { OpenAPIRegistry };

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is not valid; `errors` names each bad field',
  401: 'No API key was sent',
  403: 'The API key is wrong',
  404: 'Not found',
  409: 'Conflict with the current state',
  412: 'If-Match does not match the current version',
  413: 'Body larger than 100 kB',
  415: 'Body is not JSON',
  422: 'Idempotency-Key reused with another body',
  500: 'Internal error',
  503: 'A dependency is not reachable',
};

/** The problem answers of an operation: those given, and always 500 and 503 (a dependency away). */
export function problemResponses(...statuses: number[]): Record<number, ResponseConfig> {
  return Object.fromEntries(
    [...statuses, 500, 503].map((status) => [
      status,
      { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
}

export function jsonContent(schema: z.ZodType) {
  return { content: { 'application/json': { schema } } };
}

export function buildOpenApiDocument(registry: OpenAPIRegistry, info: { title: string; description: string }) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: info.title, version: '1.0.0', description: info.description, license: { name: 'MIT', identifier: 'MIT' } },
    // Relative: the document is served by the API it describes, so Swagger UI calls the same origin.
    servers: [{ url: '/', description: 'This server' }],
  });
}

export const etagHeader = { ETag: { description: 'The version, quoted: send it back in If-Match', schema: { type: 'string' as const } } };
export const requestIdHeader = z.object({
  'x-request-id': z.string().optional().meta({ description: 'Your id for this request; echoed, logged and carried into the events' }),
});
export const ifMatchHeader = z.object({
  'if-match': z.string().optional().meta({ description: 'The ETag you last saw; a stale one is answered with 412' }),
});

export const Readiness = z
  .object({
    status: z.enum(['ready', 'degraded', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  })
  .catchall(z.unknown())
  .meta({ id: 'Readiness' });

/** Every route refuses a body that is not JSON, even where it expects none. */
const bodyRefused = {
  415: { description: STATUS_TEXT[415] ?? 'Error', content: { 'application/problem+json': { schema: Problem } } },
};

export function registerHealthPaths(registry: OpenAPIRegistry, readySummary: string): void {
  registry.registerPath({
    method: 'get',
    path: '/health/live',
    operationId: 'getLiveness',
    security: [],
    tags: ['health'],
    summary: 'The process answers',
    responses: { 200: { description: 'Alive', ...jsonContent(z.object({ status: z.literal('ok') })) }, ...bodyRefused },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    security: [],
    tags: ['health'],
    summary: 'Prometheus metrics',
    responses: {
      200: { description: 'Metrics in the Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
      ...bodyRefused,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/health/ready',
    operationId: 'getReadiness',
    security: [],
    tags: ['health'],
    summary: readySummary,
    responses: {
      200: { description: 'Ready', ...jsonContent(Readiness) },
      503: { description: 'Not ready: the failing check is named', ...jsonContent(Readiness) },
      ...bodyRefused,
    },
  });
}
