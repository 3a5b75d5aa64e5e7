import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
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

export function problemResponses(...statuses: number[]): Record<number, ResponseConfig> {
  return Object.fromEntries(
    [...statuses, 500].map((status) => [
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
    info: { title: info.title, version: '1.0.0', description: info.description },
  });
}
