import { Router } from 'express';
import {
  Adjustment,
  InventoryCreate,
  InventoryListQuery,
  InventorySetQuantity,
  ProductIdPathParams,
  ReservationInput,
  ReservationPathParams,
} from '@stockstream/contracts';
import { acceptedVersions, etagOf, parseRequest } from '@stockstream/platform/http';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { InventoryRepository } from '@stockstream/inventory-core';

import { answerOnce, send } from './idempotency';

export function inventoryRoutes(db: InventoryDb): Router {
  const router = Router();
  const inventory = new InventoryRepository(db);

  router.get('/', async (req, res) => {
    res.json(await inventory.list(parseRequest(InventoryListQuery, req.query, 'query')));
  });

  router.post('/', async (req, res) => {
    const input = parseRequest(InventoryCreate, req.body, 'body');
    const answer = await answerOnce(db, req, async (tx) => {
      const item = await new InventoryRepository(tx).create(input);
      return { status: 201, body: item, headers: { Location: `${req.baseUrl}/${item.productId}`, ETag: etagOf(item.version) } };
    });
    send(res, answer);
  });

  router.get('/:productId', async (req, res) => {
    const { productId } = parseRequest(ProductIdPathParams, req.params, 'params');
    const item = await inventory.get(productId);
    res.set('ETag', etagOf(item.version)).json(item);
  });

  router.put('/:productId', async (req, res) => {
    const { productId } = parseRequest(ProductIdPathParams, req.params, 'params');
    const { quantity } = parseRequest(InventorySetQuantity, req.body, 'body');
    const item = await inventory.setQuantity(productId, quantity, acceptedVersions(req.get('if-match')));
    res.set('ETag', etagOf(item.version)).json(item);
  });

  router.delete('/:productId', async (req, res) => {
    const { productId } = parseRequest(ProductIdPathParams, req.params, 'params');
    await inventory.delete(productId, acceptedVersions(req.get('if-match')));
    res.status(204).end();
  });

  router.post('/:productId/adjustments', async (req, res) => {
    const { productId } = parseRequest(ProductIdPathParams, req.params, 'params');
    const { delta, reason } = parseRequest(Adjustment, req.body, 'body');
    const answer = await answerOnce(db, req, async (tx) => {
      const item = await new InventoryRepository(tx).adjust(productId, delta, reason);
      return { status: 200, body: item, headers: { ETag: etagOf(item.version) } };
    });
    send(res, answer);
  });

  router.get('/:productId/reservations', async (req, res) => {
    const { productId } = parseRequest(ProductIdPathParams, req.params, 'params');
    res.json(await inventory.listReservations(productId));
  });

  router.post('/:productId/reservations', async (req, res) => {
    const { productId } = parseRequest(ProductIdPathParams, req.params, 'params');
    const { quantity, reference } = parseRequest(ReservationInput, req.body, 'body');
    const answer = await answerOnce(db, req, async (tx) => {
      const { reservation, created } = await new InventoryRepository(tx).reserve(productId, reference, quantity);
      return {
        status: created ? 201 : 200,
        body: reservation,
        headers: { Location: `${req.baseUrl}/${productId}/reservations/${encodeURIComponent(reference)}` },
      };
    });
    send(res, answer);
  });

  router.delete('/:productId/reservations/:reference', async (req, res) => {
    const { productId, reference } = parseRequest(ReservationPathParams, req.params, 'params');
    await inventory.release(productId, reference);
    res.status(204).end();
  });

  return router;
}
