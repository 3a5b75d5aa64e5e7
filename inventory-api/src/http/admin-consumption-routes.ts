import { Router } from 'express';
import { PauseConsumption } from '@stockstream/contracts';
import type { ConsumptionSwitch } from '@stockstream/inventory-core';
import { adminOnly, parseRequest } from '@stockstream/platform/http';

/**
 * /admin/consumption: pause the workers before a bad deploy fills the dead-letter stream, and resume them.
 * Every worker stops reading and claiming within a claim interval and a read (CLAIM_INTERVAL_MS +
 * BLOCK_MS, 4 s as shipped), holding what it has pending; the state outlives worker restarts.
 */
export function adminConsumptionRoutes(consumption: ConsumptionSwitch, apiKey: string): Router {
  const router = Router();
  router.use(adminOnly(apiKey));
  router.get('/', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await consumption.state());
  });
  router.post('/pause', async (req, res) => {
    const { reason } = parseRequest(PauseConsumption, req.body ?? {}, 'body');
    res.json(await consumption.pause({ reason, by: 'admin' }));
  });
  router.post('/resume', async (_req, res) => {
    res.json(await consumption.resume());
  });
  return router;
}
