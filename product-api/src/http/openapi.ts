import { Product, ProductIdParams, ProductInput, ProductListQuery, ProductPage } from '@stockstream/contracts';
import {
  OpenAPIRegistry,
  buildOpenApiDocument,
  etagHeader,
  ifMatchHeader,
  jsonContent,
  problemResponses,
  registerHealthPaths,
  requestIdHeader,
} from '@stockstream/platform';

export function productOpenApi() {
  const registry = new OpenAPIRegistry();
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
  registerHealthPaths(registry, 'The database answers (Redis and the outbox backlog are reported)');
  return buildOpenApiDocument(registry, {
    title: 'stockstream product-api',
    description: 'Products. Every change is published as an event on the product stream (see the README for its format).',
  });
}
