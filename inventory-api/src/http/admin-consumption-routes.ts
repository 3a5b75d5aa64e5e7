import { Router } from 'express';
import { PauseConsumption } from '@stockstream/contracts';
import { actorOf, adminOnly, parseRequest } from '@stockstream/platform/http';
import { pauseConsumption, resumeConsumption } from '../admin/audited-actions';
import type { InventoryAdmin } from '../admin/inventory-admin';

/**
 * /admin/consumption: pause the workers before a bad deploy fills the dead-letter stream, and resume them.
 * Every worker stops reading and claiming within a claim interval and a read (CLAIM_INTERVAL_MS +
 * BLOCK_MS, 4 s as shipped), holding what it has pending; the state outlives worker restarts.
 */
export function adminConsumptionRoutes(admin: InventoryAdmin): Router {
  const router = Router();
  router.use(adminOnly(admin.keys));
  router.get('/', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await admin.consumption.state());
  });
  router.post('/pause', async (req, res) => {
    const { reason } = parseRequest(PauseConsumption, req.body ?? {}, 'body');
    res.json(await pauseConsumption(admin, actorOf(res), reason));
  });
  router.post('/resume', async (_req, res) => {
    res.json(await resumeConsumption(admin, actorOf(res)));
  });
  return router;
}
