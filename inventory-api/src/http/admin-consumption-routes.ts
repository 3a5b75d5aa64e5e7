import { Router } from 'express';
import { PauseConsumption } from '@stockstream/contracts';
import { actorOf, adminOnly, parseRequest } from '@stockstream/platform/http';
import type { InventoryAdmin } from '../admin/inventory-admin';

/**
 * /admin/consumption: pause the workers before a bad deploy fills the dead-letter stream, and resume them.
 * Every worker stops reading and claiming within a claim interval and a read (CLAIM_INTERVAL_MS +
 * BLOCK_MS, 4 s as shipped), holding what it has pending; the state outlives worker restarts.
 */
export function adminConsumptionRoutes({ keys, consumption, audit }: InventoryAdmin): Router {
  const router = Router();
  router.use(adminOnly(keys));
  router.get('/', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await consumption.state());
  });
  router.post('/pause', async (req, res) => {
    const { reason } = parseRequest(PauseConsumption, req.body ?? {}, 'body');
    const state = await consumption.pause({ reason, by: actorOf(res) });
    await audit.record({ actor: actorOf(res), action: 'consumption.pause', target: consumption.key, outcome: 'ok', detail: reason });
    res.json(state);
  });
  router.post('/resume', async (_req, res) => {
    const state = await consumption.resume();
    await audit.record({ actor: actorOf(res), action: 'consumption.resume', target: consumption.key, outcome: 'ok' });
    res.json(state);
  });
  return router;
}
