import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Problem } from '@stockstream/contracts';
import type { Logger } from '../logger';
import { errorMessage } from '../logger';
import { currentContext } from '../context';
import { AppError, PROBLEM_BASE } from './app-error';

/** Errors of body-parser, by their `type`: what the client sent, so a 4xx. */
const BODY_ERRORS: Record<string, { status: number; type: string; title: string; detail: string }> = {
  'entity.parse.failed': { status: 400, type: 'malformed-json', title: 'Malformed JSON', detail: 'The body is not valid JSON' },
  'entity.too.large': { status: 413, type: 'payload-too-large', title: 'Payload too large', detail: 'The body is larger than 100 kB' },
  'encoding.unsupported': {
    status: 415,
    type: 'unsupported-media-type',
    title: 'Unsupported encoding',
    detail: 'The body encoding is not supported',
  },
  'charset.unsupported': {
    status: 415,
    type: 'unsupported-media-type',
    title: 'Unsupported charset',
    detail: 'Send the body as UTF-8 JSON',
  },
  'request.aborted': { status: 400, type: 'request-aborted', title: 'Request aborted', detail: 'The body ended early' },
  'request.size.invalid': {
    status: 400,
    type: 'malformed-body',
    title: 'Malformed body',
    detail: 'The body does not match its Content-Length',
  },
};

const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'ECONNREFUSED', 'ECONNRESET', '57P01', '57P03']);

function asAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (typeof type === 'string' && BODY_ERRORS[type]) return new AppError(BODY_ERRORS[type]);
  if (code === 'P2002') return AppError.conflict('conflict', 'A record with the same unique value already exists');
  if (code === 'P2025') return new AppError({ status: 404, type: 'not-found', title: 'Not found', detail: 'The record does not exist' });
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) {
    return new AppError({
      status: 503,
      type: 'unavailable',
      title: 'Service unavailable',
      detail: 'A dependency is not reachable; try again shortly',
    });
  }
  return undefined;
}

export function sendProblem(res: Parameters<RequestHandler>[1], error: AppError, instance: string): void {
  const body: Problem = {
    type: `${PROBLEM_BASE}${error.type}`,
    title: error.title,
    status: error.status,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    instance,
    requestId: currentContext().requestId,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
    ...error.extra,
  };
  res.status(error.status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFoundRoute: RequestHandler = (req) => {
  throw new AppError({ status: 404, type: 'not-found', title: 'Not found', detail: `No route ${req.method} ${req.path}` });
};

/** Turns a service's own domain errors into the answers a client can act on; undefined for the rest. */
export type DomainErrorMapper = (error: unknown) => AppError | undefined;

/** The one place errors become answers. A 500 says nothing of what went wrong inside. */
export function errorHandler(logger: Logger, mapDomainError?: DomainErrorMapper): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = mapDomainError?.(error) ?? asAppError(error);
    if (known) {
      if (known.status >= 500) logger.warn('dependency unavailable', { error: errorMessage(error) });
      sendProblem(res, known, req.originalUrl);
      return;
    }
    logger.error('unhandled error', { error: errorMessage(error), stack: error instanceof Error ? error.stack : undefined });
    sendProblem(
      res,
      new AppError({
        status: 500,
        type: 'internal',
        title: 'Internal server error',
        detail: 'Something went wrong on our side; quote the requestId if you report it',
      }),
      req.originalUrl,
    );
  };
}
