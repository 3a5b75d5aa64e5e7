import { ConsumptionSwitch, DeadLetterQueue } from '@stockstream/inventory-core';
import type { Logger, RedisClient } from '@stockstream/platform';
import type { AdminKey } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { AdminAudit } from './admin-audit';
import { CauseJobs, DEFAULT_CAUSE_JOB_OPTIONS } from './cause-jobs';
import type { CauseJobOptions } from './cause-jobs';

/** Everything the admin routes and the dead-letter page work with. */
export interface InventoryAdmin {
  keys: readonly AdminKey[];
  deadLetters: DeadLetterQueue;
  consumption: ConsumptionSwitch;
  audit: AdminAudit;
  jobs: CauseJobs;
  group: string;
  refreshSeconds: number;
  /** Session cookies are Secure on every request, not only on those that came over TLS. */
  secureCookie: boolean;
  /** Where a letter's trace is shown: a template with {traceId}. */
  traceUiUrl?: string | undefined;
}

export interface InventoryAdminSettings {
  keys: readonly AdminKey[];
  deadLetterStream: string;
  productStream: string;
  group: string;
  refreshSeconds: number;
  secureCookie: boolean;
  traceUiUrl?: string | undefined;
  jobs?: CauseJobOptions;
}

export function inventoryAdmin(
  { db, redis, logger }: { db: InventoryDb; redis: RedisClient; logger: Logger },
  settings: InventoryAdminSettings,
): InventoryAdmin {
  const deadLetters = new DeadLetterQueue(redis, settings.deadLetterStream, settings.productStream);
  const audit = new AdminAudit(db, logger);
  return {
    keys: settings.keys,
    deadLetters,
    consumption: new ConsumptionSwitch(redis, settings.productStream),
    audit,
    jobs: new CauseJobs(db, deadLetters, audit, logger, settings.jobs ?? DEFAULT_CAUSE_JOB_OPTIONS),
    group: settings.group,
    refreshSeconds: settings.refreshSeconds,
    secureCookie: settings.secureCookie,
    traceUiUrl: settings.traceUiUrl,
  };
}
