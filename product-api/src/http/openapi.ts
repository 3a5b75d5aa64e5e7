import { Product, ProductIdParams, ProductInput, ProductListQuery, ProductPage, ReconcileReport } from '@stockstream/contracts';
import type { OpenAPIRegistry as Registry } from '@stockstream/platform/http';
import { ReconcileQuery } from './admin-routes';
import {
  OpenAPIRegistry,
  buildOpenApiDocument,
  etagHeader,
  ifMatchHeader,
  jsonContent,
  problemResponses,
  registerHealthPaths,
  requestIdHeader,
} from '@stockstream/platform/http';

export function productOpenApi({ admin }: { admin: boolean } = { admin: false }) {
  const registry = new OpenAPIRegistry();
  if (admin) registerAdminPaths(registry);
  registry.registerPath({
    method: 'post',
    path: '/api/products',
    operationId: 'createProduct',
    security: [],
    tags: ['products'],
    summary: 'Create a product',
    request: { headers: requestIdHeader, body: { required: true, ...jsonContent(ProductInput) } },
    responses: {
      201: {
        description: 'Created; Location names it',
        headers: { ...etagHeader, Location: { schema: { type: 'string' } } },
        ...jsonContent(Product),
      },
      ...problemResponses(400, 409, 413, 415),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/products',
    operationId: 'listProducts',
    security: [],
    tags: ['products'],
    summary: 'List products, oldest first, a page at a time',
    request: { query: ProductListQuery },
    responses: { 200: { description: 'A page', ...jsonContent(ProductPage) }, ...problemResponses(400) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/products/{id}',
    operationId: 'getProduct',
    security: [],
    tags: ['products'],
    summary: 'Get one product',
    request: { params: ProductIdParams },
    responses: { 200: { description: 'The product', headers: etagHeader, ...jsonContent(Product) }, ...problemResponses(400, 404) },
  });
  registry.registerPath({
    method: 'put',
    path: '/api/products/{id}',
    operationId: 'replaceProduct',
    security: [],
    tags: ['products'],
    summary: 'Replace a product whole',
    request: {
      params: ProductIdParams,
      headers: ifMatchHeader.extend(requestIdHeader.shape),
      body: { required: true, ...jsonContent(ProductInput) },
    },
    responses: {
      200: { description: 'Replaced', headers: etagHeader, ...jsonContent(Product) },
      ...problemResponses(400, 404, 409, 412, 413, 415),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/products/{id}',
    operationId: 'deleteProduct',
    security: [],
    tags: ['products'],
    summary: 'Delete a product',
    request: { params: ProductIdParams, headers: ifMatchHeader.extend(requestIdHeader.shape) },
    responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 404, 412) },
  });
  registerHealthPaths(registry, 'The database answers (Redis, the broker and the outbox backlog are reported)');
  return buildOpenApiDocument(registry, {
    title: 'stockstream product-api',
    description: 'Products. Every change is published as an event on the product stream (see the README for its format).',
  });
}

/** POST /admin/reconcile, documented only where it is served (ADMIN_API_KEY set). */
function registerAdminPaths(registry: Registry): void {
  const adminApiKey = registry.registerComponent('securitySchemes', 'adminApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'The ADMIN_API_KEY of product-api',
  });
  registry.registerPath({
    method: 'post',
    path: '/admin/reconcile',
    operationId: 'reconcileInventory',
    tags: ['admin'],
    security: [{ [adminApiKey.name]: [] }],
    summary: 'Compare every product with its inventory record; with repair=true, announce drifted products again',
    description:
      'Missing records, orphan records (no product) and records behind their product version. Repair writes the current state of each drifted product to the outbox; the worker applies it. Records made through inventory-api are reported as madeByApi and never deleted; orphans holding reservations or stock adjustments are kept unless deleteWithHistory=true. Both databases are paged by key. One run at a time: another answers 409 with runningRunId.',
    request: { query: ReconcileQuery },
    responses: {
      200: { description: 'What was found and repaired', ...jsonContent(ReconcileReport) },
      ...problemResponses(400, 401, 403, 409),
    },
  });
}
