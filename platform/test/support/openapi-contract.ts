// The checks every service's OpenAPI document must pass; each service's openapi.test.ts runs them.
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Express } from 'express';
import { listRoutes } from '../../src/http/list-routes';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
}

export async function expectValidOpenApi31(document: OpenApiDocument): Promise<void> {
  expect(document.openapi).toBe('3.1.0');
  await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
}

/** "METHOD /path/{param}" for every operation the document lists. */
export function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The app serves exactly what the document lists (the document itself and the /swagger redirect aside). */
export function expectDocumentsEveryRoute(app: Express, document: OpenApiDocument): void {
  const served = listRoutes(app).filter((route) => !/ \/(openapi\.json|swagger)$/.test(route));
  expect(served.sort()).toEqual(documentedRoutes(document).sort());
}

/** Every API operation (health and metrics aside) documents its problem+json errors. */
export function expectProblemResponses(document: OpenApiDocument): void {
  for (const [path, operations] of Object.entries(document.paths)) {
    if (path.startsWith('/health') || path === '/metrics') continue;
    for (const operation of Object.values(operations))
      expect(operation.responses['500']?.content).toHaveProperty(['application/problem+json']);
  }
}
