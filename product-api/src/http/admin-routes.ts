import { Router } from 'express';
import { z } from 'zod';
import { envBoolean } from '@stockstream/platform';
import { adminOnly, parseRequest } from '@stockstream/platform/http';
import type { InventoryDb, ProductDb } from '@stockstream/prisma';
import { reconcile } from '../reconcile/reconcile';

export const ReconcileQuery = z.strictObject({
  repair: envBoolean(false).meta({ description: 'Announce each drifted product again through the outbox' }),
});

/** /admin: operations behind the admin API key; served only when ADMIN_API_KEY is set. */
export function adminRoutes(products: ProductDb, inventory: InventoryDb, apiKey: string): Router {
  const router = Router();
  router.use(adminOnly(apiKey));
  router.post('/reconcile', async (req, res) => {
    const { repair } = parseRequest(ReconcileQuery, req.query, 'query');
    res.json(await reconcile(products, inventory, { repair }));
  });
  return router;
}
