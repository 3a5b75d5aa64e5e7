import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';
import { runWithContext } from '../context';
import { AppError } from './app-error';
import { routeTemplate } from './route-template';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes the caller's X-Request-Id when it is sane, else makes one; every log line of the request carries it. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const offered = req.get('x-request-id');
    const requestId = offered !== undefined && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const started = process.hrtime.bigint();
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      logger.info('request', {
        requestId,
        method: req.method,
        route: routeTemplate(req),
        path: req.originalUrl,
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    runWithContext({ requestId }, next);
  };
}

/** A body must be JSON (a form, under `formPaths`: HTML pages post forms): anything else is a 415, before any parsing. */
export const requireJsonBody =
  (formPaths: string[] = []): RequestHandler =>
  (req, _res, next) => {
    const hasBody =
      req.get('content-length') !== undefined ? req.get('content-length') !== '0' : req.get('transfer-encoding') !== undefined;
    const form =
      formPaths.some((prefix) => req.path === prefix || req.path.startsWith(`${prefix}/`)) && req.is('application/x-www-form-urlencoded');
    if (hasBody && !form && !req.is(['application/json', 'application/*+json'])) {
      throw new AppError({
        status: 415,
        type: 'unsupported-media-type',
        title: 'Unsupported media type',
        detail: `Send the body as application/json (got ${req.get('content-type') ?? 'no Content-Type'})`,
        errors: [{ path: 'headers.content-type', message: 'must be application/json' }],
      });
    }
    next();
  };
