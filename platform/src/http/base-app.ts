import express from 'express';
import type { Express, RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import type { Logger } from '../logger';
import type { Registry } from '../metrics';
import { requestContext, requireJsonBody } from './request-context';
import { errorHandler, notFoundRoute } from './error-handler';
import type { ErrorHandlerOptions } from './error-handler';

export interface BaseAppOptions {
  logger: Logger;
  openApiDocument: object;
  /** Served at /metrics, with the duration of every request. */
  metrics: Registry;
  /** Paths of HTML pages that post forms (every other body must be JSON). */
  formPaths?: string[];
}

/**
 * helmet's headers (nosniff, frame and referrer policies, a CSP). The CSP keeps helmet's defaults, which
 * Swagger UI at /docs works under (its scripts are files of this origin; it needs inline styles and data:
 * images, both allowed), without upgrade-insecure-requests: these APIs are served over plain HTTP inside
 * a network, and the upgrade would break /docs there.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
});

/**
 * Request ids, access log, metrics, JSON bodies up to 100 kB; the service adds its routes, and
 * finishApp the API docs and /metrics after them (every layer before a route is a match tried on
 * every request of that route).
 */
export function createBaseApp(options: BaseAppOptions): Express {
  const { logger, metrics, formPaths } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  app.use(requestContext(logger, metrics));
  app.use(requireJsonBody(formPaths));
  app.use(express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }));
  return app;
}

function metricsRoute(registry: Registry): RequestHandler {
  return async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
}

/** The API docs (/openapi.json, /docs, /swagger) and /metrics. */
function serveDocsAndMetrics(app: Express, { openApiDocument, metrics }: BaseAppOptions): void {
  app.get('/metrics', metricsRoute(metrics));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(
    '/docs',
    swaggerUi.serve,
    // No validator badge: it would load an image from another origin, which the CSP refuses.
    swaggerUi.setup(openApiDocument, { customSiteTitle: 'stockstream API', swaggerOptions: { validatorUrl: null } }),
  );
  app.get('/swagger', (_req, res) => res.redirect(301, '/docs'));
}

/** After the service's routes: the docs and /metrics, then unknown routes and every error as problem+json. */
export function finishApp(app: Express, base: BaseAppOptions, options: ErrorHandlerOptions = {}): Express {
  serveDocsAndMetrics(app, base);
  app.use(notFoundRoute);
  app.use(errorHandler(base.logger, options));
  return app;
}
