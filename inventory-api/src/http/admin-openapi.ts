import { z } from 'zod';
import {
  AuditPage,
  ConsumptionState,
  DeadLetter,
  DeadLetterGroup,
  DeadLetterJob,
  DeadLetterPage,
  PauseConsumption,
} from '@stockstream/contracts';
import type { OpenAPIRegistry } from '@stockstream/platform/http';
import { jsonContent, problemResponses } from '@stockstream/platform/http';
import { CauseParams, DeadLetterIdParams, DeadLetterListQuery, ReplayAnswer } from './admin-dlq-routes';
import { AuditQuery, JobParams } from './admin-jobs-routes';

/** The /admin paths, documented only where they are served (an admin key set). */
export function registerAdminPaths(registry: OpenAPIRegistry): void {
  const adminApiKey = registry.registerComponent('securitySchemes', 'adminApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'One of the admin keys of inventory-api (ADMIN_API_KEYS, or ADMIN_API_KEY); its name is the actor in the audit',
  });
  const security = [{ [adminApiKey.name]: [] }];
  const tags = ['admin: dead letters'];
  registry.registerPath({
    method: 'get',
    path: '/admin/dlq',
    operationId: 'listDeadLetters',
    tags,
    security,
    summary: 'A page of dead letters, newest first (order=oldest for the other way), filtered',
    description:
      'Follow nextCursor until it is null to reach every letter once. A filtered page reads at most 5,000 entries of the stream and may hold fewer than limit; a cause filter reads the cause index and is exact.',
    request: { query: DeadLetterListQuery },
    responses: { 200: { description: 'A page', ...jsonContent(DeadLetterPage) }, ...problemResponses(400, 401, 403) },
  });
  registry.registerPath({
    method: 'get',
    path: '/admin/dlq/groups',
    operationId: 'listDeadLetterGroups',
    tags,
    security,
    summary: 'Dead letters grouped by cause (reason and error fingerprint), largest first',
    responses: {
      200: { description: 'The groups', ...jsonContent(z.object({ items: z.array(DeadLetterGroup) }).meta({ id: 'DeadLetterGroups' })) },
      ...problemResponses(401, 403),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/admin/dlq/groups/{id}',
    operationId: 'getDeadLetterGroup',
    tags,
    security,
    summary: 'One group',
    request: { params: CauseParams },
    responses: { 200: { description: 'The group', ...jsonContent(DeadLetterGroup) }, ...problemResponses(400, 401, 403, 404) },
  });
  for (const kind of ['replay', 'purge'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/admin/dlq/groups/{id}/${kind}`,
      operationId: `${kind}DeadLetterGroup`,
      tags,
      security,
      summary: `Start a background job that ${kind === 'replay' ? 'replays' : 'purges'} every letter of the group (as it is now), a page at a time`,
      request: { params: CauseParams },
      responses: {
        202: { description: 'Started: follow it at Location (/admin/jobs/{id})', ...jsonContent(DeadLetterJob) },
        ...problemResponses(400, 401, 403, 404, 409),
      },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/admin/jobs/{id}',
    operationId: 'getJob',
    tags,
    security,
    summary: 'A group job and its progress',
    request: { params: JobParams },
    responses: { 200: { description: 'The job', ...jsonContent(DeadLetterJob) }, ...problemResponses(400, 401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/admin/jobs',
    operationId: 'listJobs',
    tags,
    security,
    summary: 'The 20 most recent group jobs',
    responses: {
      200: { description: 'Jobs', ...jsonContent(z.object({ items: z.array(DeadLetterJob) }).meta({ id: 'DeadLetterJobs' })) },
      ...problemResponses(401, 403),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/admin/audit',
    operationId: 'listAdminActions',
    tags: ['admin: audit'],
    security,
    summary: 'Every admin action (sign-ins, replays, purges, jobs, pause, resume), newest first',
    request: { query: AuditQuery },
    responses: { 200: { description: 'A page', ...jsonContent(AuditPage) }, ...problemResponses(400, 401, 403) },
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
