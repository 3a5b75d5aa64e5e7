import type { StreamEntry } from '@stockstream/inventory-core';

export type { StreamEntry };

function isEntry(value: unknown): value is { id: string; message: Record<string, string> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { message?: unknown }).message === 'object'
  );
}

/** node-redis answers entries as { id, message }; a deleted one as null. */
export function toEntries(messages: readonly unknown[] | null | undefined): (StreamEntry | null)[] {
  return (messages ?? []).map((message) => (isEntry(message) ? { id: message.id, fields: { ...message.message } } : null));
}
