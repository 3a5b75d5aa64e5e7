import { z } from 'zod';
import { DeadLetter } from '@stockstream/contracts';
import type { OpenAPIRegistry } from '@stockstream/platform/http';
import { jsonContent, problemResponses } from '@stockstream/platform/http';
import { DeadLetterIdParams, DeadLetterListQuery, ReplayAnswer } from './admin-dlq-routes';

/** The /admin/dlq paths, documented only where they are served (ADMIN_API_KEY set). */
export function registerAdminPaths(registry: OpenAPIRegistry): void {
  const adminApiKey = registry.registerComponent('securitySchemes', 'adminApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'The ADMIN_API_KEY of inventory-api',
  });
  const security = [{ [adminApiKey.name]: [] }];
  const tags = ['admin: dead letters'];
  registry.registerPath({
    method: 'get',
    path: '/admin/dlq',
    operationId: 'listDeadLetters',
    tags,
    security,
    summary: 'List dead letters, oldest first',
    request: { query: DeadLetterListQuery },
    responses: { 200: { description: 'Dead letters', ...jsonContent(z.array(DeadLetter)) }, ...problemResponses(400, 401, 403) },
  });
  registry.registerPath({
    method: 'get',
    path: '/admin/dlq/{id}',
    operationId: 'getDeadLetter',
    tags,
    security,
    summary: 'One dead letter with its original event',
    request: { params: DeadLetterIdParams },
    responses: { 200: { description: 'The dead letter', ...jsonContent(DeadLetter) }, ...problemResponses(400, 401, 403, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/admin/dlq/{id}/replay',
    operationId: 'replayDeadLetter',
    tags,
    security,
    summary: 'Put the event back on the product stream (same event id) and remove it from the dead letters, atomically',
    request: { params: DeadLetterIdParams },
    responses: { 200: { description: 'Replayed', ...jsonContent(ReplayAnswer) }, ...problemResponses(400, 401, 403, 404) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/admin/dlq/{id}',
    operationId: 'deleteDeadLetter',
    tags,
    security,
    summary: 'Delete a dead letter',
    request: { params: DeadLetterIdParams },
    responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404) },
  });
}
