import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import { Histogram } from '../metrics';
import type { Registry } from '../metrics';
import { AppError } from './app-error';
import { routeTemplate } from './route-template';
import { SpanKind, SpanStatusCode, activeIn, contextFrom, traceFields, tracer, tracingEnabled } from '../tracing';
import type { Span } from '../tracing';

/** The status written for a request whose client closed the connection before the answer. */
export const CLIENT_CLOSED_REQUEST = 499;

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id, as requestContext set it (in `res.locals`, Express' place for what a request carries). */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Takes the caller's X-Request-Id when it is sane, else makes one, and keeps it in `res.locals`: the
 * answer, the access log line, an error's log line and the events a request records carry it. When the
 * answer is sent (or the client gave up on it), one listener writes the access log line and times the
 * request by method, route template (not the raw path) and status.
 *
 * Not in an AsyncLocalStorage (as the worker's event context is): entering one turns on Node 20's
 * promise hooks for the whole process, a cost on every promise of every request (measured in
 * docs/decisions/0007), for an id that every line that needs it can be handed.
 */
export function requestContext(logger: Logger, registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (req, res, next) => {
    const offered = req.get('x-request-id');
    const requestId = offered !== undefined && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const started = performance.now();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const span = tracingEnabled() ? serverSpan(req) : undefined;
    // 'close' comes after the answer is sent, and also when the client goes before it is: that request
    // is written as 499 (nginx's "client closed request"), so that hangs show exactly when they matter.
    res.on('close', () => {
      const durationMs = performance.now() - started;
      const route = routeTemplate(req);
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST;
      duration.observe({ method: req.method, route, status }, durationMs / 1000);
      const line = { requestId, method: req.method, route, path: req.originalUrl, status, durationMs };
      if (span) {
        endServerSpan(span, req.method, route, status);
        Object.assign(line, traceFields(span));
      }
      logger.info('request', line);
    });
    if (span) activeIn(span, next);
    else next();
  };
}

/**
 * The request's SERVER span, in the trace of an incoming traceparent (and tracestate) when there is one.
 * Named by method alone until the route is known, then by method and route template.
 */
function serverSpan(req: Request): Span {
  const parent = contextFrom({ traceparent: req.get('traceparent'), tracestate: req.get('tracestate') });
  return tracer().startSpan(
    req.method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol, 'network.protocol.name': 'http' },
    },
    parent,
  );
}

function endServerSpan(span: Span, method: string, route: string, status: number): void {
  span.updateName(`${method} ${route}`);
  span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
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
