import { z } from 'zod';
import { ConsumptionState, DeadLetter, PauseConsumption } from '@stockstream/contracts';
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
    responses: { 200: { description: 'Replayed', ...jsonContent(ReplayAnswer) }, ...problemResponses(400, 401, 403, 404, 422) },
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
  const consumption = ['admin: consumption'];
  registry.registerPath({
    method: 'get',
    path: '/admin/consumption',
    operationId: 'getConsumption',
    tags: consumption,
    security,
    summary: 'Whether the workers consume the product stream',
    responses: { 200: { description: 'The state', ...jsonContent(ConsumptionState) }, ...problemResponses(401, 403) },
  });
  registry.registerPath({
    method: 'post',
    path: '/admin/consumption/pause',
    operationId: 'pauseConsumption',
    tags: consumption,
    security,
    summary: 'Pause every worker: within CLAIM_INTERVAL_MS + BLOCK_MS they read and claim nothing, holding what is pending',
    request: { body: { required: false, content: { 'application/json': { schema: PauseConsumption } } } },
    responses: { 200: { description: 'Paused', ...jsonContent(ConsumptionState) }, ...problemResponses(400, 401, 403) },
  });
  registry.registerPath({
    method: 'post',
    path: '/admin/consumption/resume',
    operationId: 'resumeConsumption',
    tags: consumption,
    security,
    summary: 'Resume every worker: the backlog drains',
    responses: { 200: { description: 'Resumed', ...jsonContent(ConsumptionState) }, ...problemResponses(401, 403) },
  });
}
