import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Problem } from '@stockstream/contracts';
import type { Logger } from '../logger';
import { errorMessage } from '../logger';
import { InvalidCursorError } from '../keyset-cursor';
import { requestIdOf } from './request-context';
import { AppError, PROBLEM_BASE } from './app-error';
import type { AppErrorOptions } from './app-error';
import { unavailableDependency } from './dependency-outage';
import type { Dependency, OutageMonitor } from './dependency-outage';

/** Errors of body-parser, by their `type`: what the client sent, so a 4xx naming what is wrong. */
const BODY_ERRORS: Record<string, AppErrorOptions> = {
  'entity.parse.failed': {
    status: 400,
    type: 'malformed-json',
    title: 'Malformed JSON',
    detail: 'The body is not valid JSON',
    errors: [{ path: 'body', message: 'not valid JSON' }],
  },
  'entity.too.large': {
    status: 413,
    type: 'payload-too-large',
    title: 'Payload too large',
    detail: 'The body is larger than 100 kB',
    errors: [{ path: 'body', message: 'larger than 100 kB' }],
  },
  'encoding.unsupported': {
    status: 415,
    type: 'unsupported-media-type',
    title: 'Unsupported encoding',
    detail: 'The body encoding is not supported',
    errors: [{ path: 'headers.content-encoding', message: 'use gzip, deflate, br or none' }],
  },
  'charset.unsupported': {
    status: 415,
    type: 'unsupported-media-type',
    title: 'Unsupported charset',
    detail: 'Send the body as UTF-8 JSON',
    errors: [{ path: 'headers.content-type', message: 'the charset must be utf-8' }],
  },
  'request.aborted': {
    status: 400,
    type: 'request-aborted',
    title: 'Request aborted',
    detail: 'The body ended early',
    errors: [{ path: 'body', message: 'ended early' }],
  },
  'request.size.invalid': {
    status: 400,
    type: 'malformed-body',
    title: 'Malformed body',
    detail: 'The body does not match its Content-Length',
    errors: [{ path: 'headers.content-length', message: 'does not match the body' }],
  },
};

/** Seconds a client should wait before trying again while a dependency is away. */
export const RETRY_AFTER_SECONDS = 5;

const unavailable = (dependency: Dependency) =>
  new AppError({
    status: 503,
    type: 'unavailable',
    title: 'Service unavailable',
    detail: `The ${dependency} is not available (unreachable or overloaded); try again in a few seconds`,
  });

/**
 * What Express, its router and body-parser mark as the client's fault (http-errors with a 4xx status:
 * a path that is not valid percent-encoding, a body that does not inflate): its status, never a 500.
 */
function clientError(error: object): AppError | undefined {
  const { status, statusCode, expose, message } = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499 || expose === false) return undefined;
  const decoding = typeof message === 'string' && message.startsWith('Failed to decode param');
  if (decoding) {
    return new AppError({
      status: code,
      type: 'malformed-path',
      title: 'Malformed path',
      detail: 'A path segment is not valid percent-encoding',
      errors: [{ path: 'params', message: 'not valid percent-encoding' }],
    });
  }
  // The rest come from reading the body (a gzip body that does not inflate, say).
  return new AppError({
    status: code,
    type: 'malformed-body',
    title: 'Malformed body',
    detail: 'The body could not be read; check that it is what Content-Encoding and Content-Length say',
    errors: [{ path: 'body', message: 'could not be read as sent' }],
  });
}

function asAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof InvalidCursorError) return AppError.validation([{ path: 'query.cursor', message: error.message }]);
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (typeof type === 'string' && BODY_ERRORS[type]) return new AppError(BODY_ERRORS[type]);
  if (code === 'P2002') return AppError.conflict('conflict', 'A record with the same unique value already exists');
  if (code === 'P2025') return new AppError({ status: 404, type: 'not-found', title: 'Not found', detail: 'The record does not exist' });
  return clientError(error);
}

export function sendProblem(res: Parameters<RequestHandler>[1], error: AppError, instance: string): void {
  const body: Problem = {
    type: `${PROBLEM_BASE}${error.type}`,
    title: error.title,
    status: error.status,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    instance,
    requestId: requestIdOf(res),
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

export interface ErrorHandlerOptions {
  mapDomainError?: DomainErrorMapper;
  /** Logs each dependency outage once; without it, each refused request logs a warning. */
  outages?: OutageMonitor;
}

/**
 * The one place errors become answers. A dependency that is away is a 503 with Retry-After, logged once
 * per outage; a 500 says nothing of what went wrong inside.
 */
export function errorHandler(logger: Logger, { mapDomainError, outages }: ErrorHandlerOptions = {}): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = mapDomainError?.(error) ?? asAppError(error);
    if (known) {
      sendProblem(res, known, req.originalUrl);
      return;
    }
    const dependency = unavailableDependency(error);
    if (dependency) {
      if (outages) outages.refused(dependency, error);
      else logger.warn(`${dependency} unavailable`, { requestId: requestIdOf(res), error: errorMessage(error) });
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      sendProblem(res, unavailable(dependency), req.originalUrl);
      return;
    }
    logger.error('unhandled error', {
      requestId: requestIdOf(res),
      error: errorMessage(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
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
