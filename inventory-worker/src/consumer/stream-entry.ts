import type { StreamEntry } from '@stockstream/inventory-core';

export type { StreamEntry };

function isMessage(value: unknown): value is { id: string; message: Record<string, string> | null } {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';
}

/**
 * node-redis answers entries as { id, message }. A pending entry whose message was trimmed from the
 * stream comes back with no message (or as null): its id goes to `deletedIds`, so that it is not left
 * pending forever.
 */
export function toEntries(messages: readonly unknown[] | null | undefined): { entries: StreamEntry[]; deletedIds: string[] } {
  const entries: StreamEntry[] = [];
  const deletedIds: string[] = [];
  for (const message of messages ?? []) {
    if (!isMessage(message)) continue;
    if (message.message && typeof message.message === 'object') entries.push({ id: message.id, fields: { ...message.message } });
    else deletedIds.push(message.id);
  }
  return { entries, deletedIds };
}
