import { z } from 'zod';

const Drifted = <T extends z.ZodType>(sample: T) => z.object({ count: z.number().int().min(0), samples: z.array(sample) });

/** What reconcile found comparing the products with the inventory records, and what it repaired. */
export const ReconcileReport = z
  .object({
    runId: z.uuid(),
    products: z.number().int().min(0),
    records: z.number().int().min(0),
    missing: Drifted(z.uuid()).meta({ description: 'Products without an inventory record' }),
    orphans: Drifted(z.uuid()).meta({ description: 'Inventory records made by product events whose product does not exist' }),
    kept: Drifted(z.uuid()).meta({
      description:
        'Orphans that hold reservations or stock adjustments: counted among the orphans, never deleted by a repair unless deleteWithHistory is set',
    }),
    madeByApi: Drifted(z.uuid()).meta({
      description:
        'Records made through inventory-api (POST /api/inventory) for an id with no product: on purpose, so not drift; never deleted',
    }),
    behind: Drifted(z.object({ productId: z.uuid(), recordVersion: z.number().int(), productVersion: z.number().int() })).meta({
      description: 'Records holding an older version of their product',
    }),
    repaired: z.number().int().min(0).meta({ description: 'Events written to the outbox to repair the drift' }),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
  })
  .meta({ id: 'ReconcileReport' });
export type ReconcileReport = z.infer<typeof ReconcileReport>;
