import { z } from 'zod';
import {
  Adjustment,
  InventoryCreate,
  InventoryItem,
  InventoryListQuery,
  InventoryPage,
  InventorySetQuantity,
  ProductIdPathParams,
  Reservation,
  ReservationInput,
  ReservationPathParams,
} from '@stockstream/contracts';
import type { OpenAPIRegistry as Registry } from '@stockstream/platform/http';
import {
  OpenAPIRegistry,
  buildOpenApiDocument,
  etagHeader,
  ifMatchHeader,
  jsonContent,
  problemResponses,
  registerHealthPaths,
} from '@stockstream/platform/http';

const idempotencyKey = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .meta({ description: 'Retry-safe: the same key and body again get the first answer, applied once; another body → 422' }),
});

function registerInventoryPaths(registry: Registry): void {
  const tags = ['inventory'];
  registry.registerPath({
    method: 'get',
    path: '/api/inventory',
    operationId: 'listInventory',
    security: [],
    tags,
    summary: 'List stock records, oldest first, a page at a time',
    request: { query: InventoryListQuery },
    responses: { 200: { description: 'A page', ...jsonContent(InventoryPage) }, ...problemResponses(400) },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/inventory',
    operationId: 'createInventory',
    security: [],
    tags,
    summary: 'Create a stock record by hand (the worker makes one for each new product)',
    request: { headers: idempotencyKey, body: { required: true, ...jsonContent(InventoryCreate) } },
    responses: {
      201: { description: 'Created', headers: etagHeader, ...jsonContent(InventoryItem) },
      ...problemResponses(400, 409, 413, 415, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/inventory/{productId}',
    operationId: 'getInventory',
    security: [],
    tags,
    summary: 'Get the stock of one product',
    request: { params: ProductIdPathParams },
    responses: { 200: { description: 'The record', headers: etagHeader, ...jsonContent(InventoryItem) }, ...problemResponses(400, 404) },
  });
  registry.registerPath({
    method: 'put',
    path: '/api/inventory/{productId}',
    operationId: 'setInventoryQuantity',
    security: [],
    tags,
    summary: 'Set the quantity (never below what is reserved)',
    request: { params: ProductIdPathParams, headers: ifMatchHeader, body: { required: true, ...jsonContent(InventorySetQuantity) } },
    responses: {
      200: { description: 'Updated', headers: etagHeader, ...jsonContent(InventoryItem) },
      ...problemResponses(400, 404, 409, 412, 415),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/inventory/{productId}',
    operationId: 'deleteInventory',
    security: [],
    tags,
    summary: 'Delete a stock record and its reservations',
    request: { params: ProductIdPathParams, headers: ifMatchHeader },
    responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 404, 412) },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/inventory/{productId}/adjustments',
    operationId: 'adjustStock',
    security: [],
    tags,
    summary: 'Add stock (delta > 0) or take it (delta < 0), atomically',
    description: 'Refused with 409 insufficient-stock, saying how much is available, when the result would go below what is reserved.',
    request: { params: ProductIdPathParams, headers: idempotencyKey, body: { required: true, ...jsonContent(Adjustment) } },
    responses: {
      200: { description: 'Adjusted', headers: etagHeader, ...jsonContent(InventoryItem) },
      ...problemResponses(400, 404, 409, 415, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/inventory/{productId}/reservations',
    operationId: 'listReservations',
    security: [],
    tags,
    summary: 'The reservations held on a product',
    request: { params: ProductIdPathParams },
    responses: { 200: { description: 'Reservations', ...jsonContent(z.array(Reservation)) }, ...problemResponses(400, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/inventory/{productId}/reservations',
    operationId: 'reserveStock',
    security: [],
    tags,
    summary: 'Reserve available stock for an order',
    description: 'The same reference again answers the existing reservation (200) and reserves nothing more.',
    request: { params: ProductIdPathParams, headers: idempotencyKey, body: { required: true, ...jsonContent(ReservationInput) } },
    responses: {
      201: { description: 'Reserved', ...jsonContent(Reservation) },
      200: { description: 'This reference had reserved already', ...jsonContent(Reservation) },
      ...problemResponses(400, 404, 409, 415, 422),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/inventory/{productId}/reservations/{reference}',
    operationId: 'releaseReservation',
    security: [],
    tags,
    summary: 'Release a reservation',
    request: { params: ReservationPathParams },
    responses: { 204: { description: 'Released' }, ...problemResponses(400, 404) },
  });
}

export function inventoryOpenApi(extraPaths: ((registry: Registry) => void)[] = []) {
  const registry = new OpenAPIRegistry();
  registerInventoryPaths(registry);
  for (const register of extraPaths) register(registry);
  registerHealthPaths(registry, 'The database answers');
  return buildOpenApiDocument(registry, {
    title: 'stockstream inventory-api',
    description: 'Stock per product: records, adjustments, reservations. Correct under concurrent requests.',
  });
}
