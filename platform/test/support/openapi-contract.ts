// The checks every service's OpenAPI document must pass; each service's openapi.test.ts runs them.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
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
  // The document itself, the /swagger redirect and the HTML dead-letter page are not API operations.
  const page = / \/admin(\/?|\/(session|sign-out|actions|pause|resume|letters\/.*|groups\/.*))$/;
  const served = listRoutes(app).filter((route) => !/ \/(openapi\.json|asyncapi\.json|swagger)$/.test(route) && !page.test(route));
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

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
}

const REDOCLY = path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'redocly');

/** Redocly's `recommended` ruleset finds nothing: no error, no warning (but for the rules skipped, each with its reason at the call). */
export async function expectLintClean(document: object, skipRules: string[] = []): Promise<void> {
  const file = path.join(os.tmpdir(), `openapi-${randomUUID()}.json`);
  await fs.writeFile(file, JSON.stringify(document));
  try {
    const { stdout } = await promisify(execFile)(REDOCLY, [
      'lint',
      '--extends',
      'recommended',
      '--format',
      'json',
      ...skipRules.flatMap((rule) => ['--skip-rule', rule]),
      file,
    ]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as LintReport;
    const problems = report.problems.map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  } finally {
    await fs.rm(file, { force: true });
  }
}
