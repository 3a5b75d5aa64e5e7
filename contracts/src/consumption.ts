import { z } from 'zod';
import { storableText } from './text';

/** Whether the workers consume the product stream; when paused, why, by whom and since when. */
export const ConsumptionState = z
  .object({
    paused: z.boolean(),
    reason: z.string().nullable(),
    by: z.string().nullable().meta({ description: 'Who paused it: an admin, or the workers themselves' }),
    at: z.iso.datetime().nullable().meta({ description: 'When it was paused' }),
  })
  .meta({ id: 'ConsumptionState' });
export type ConsumptionState = z.infer<typeof ConsumptionState>;

export const PauseConsumption = z
  .strictObject({
    reason: storableText('reason').min(1).max(500).optional().meta({ description: 'Why, for whoever finds it paused' }),
  })
  .meta({ id: 'PauseConsumption' });
export type PauseConsumption = z.infer<typeof PauseConsumption>;
