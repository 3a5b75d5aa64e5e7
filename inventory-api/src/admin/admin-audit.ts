import type { AuditPage } from '@stockstream/contracts';
import type { Logger } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma/inventory';

/** One admin action as the audit keeps it; `outcome` says how it ended (ok, refused, failed, started…). */
export interface AdminActionEntry {
  actor: string;
  action: string;
  target?: string | undefined;
  count?: number | undefined;
  outcome: string;
  detail?: string | undefined;
}

const clip = (text: string | undefined, length: number) => (text === undefined ? null : text.slice(0, length));

/**
 * The audit of admin actions, in the inventory database (a table, so that it outlives Redis): every action
 * is a row and one log line. A key is never passed in, so it can never be stored.
 */
export class AdminAudit {
  constructor(
    private readonly db: InventoryDb,
    private readonly logger: Logger,
  ) {}

  async record(entry: AdminActionEntry): Promise<void> {
    await this.db.adminAction.create({
      data: {
        actor: entry.actor.slice(0, 100),
        action: entry.action,
        target: clip(entry.target, 300),
        count: entry.count ?? null,
        outcome: entry.outcome,
        detail: clip(entry.detail, 1000),
      },
    });
    const level = entry.outcome === 'ok' || entry.outcome === 'started' ? 'info' : 'warn';
    this.logger[level]('admin action', { ...entry });
  }

  /** Newest first; the cursor is the last id of the page before. */
  async page({ limit, cursor }: { limit: number; cursor?: string | undefined }): Promise<AuditPage> {
    const rows = await this.db.adminAction.findMany({
      where: cursor === undefined ? {} : { id: { lt: BigInt(cursor) } },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    const items = rows.slice(0, limit).map((row) => ({
      id: String(row.id),
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      target: row.target,
      count: row.count,
      outcome: row.outcome,
      detail: row.detail,
    }));
    return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
  }
}
