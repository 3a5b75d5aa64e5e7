import type { Applied } from '@stockstream/inventory-core';

/** What became of one event of a batch: applied, or failed on its own (the database answers, so it is this event's fault), or held through an outage. */
export type Result = { applied: Applied } | { failed: unknown } | { held: true };
