// What the inventory-worker shares with this service: the stock records and their rules, never HTTP code.
export { InventoryRepository } from './data/inventory-repository';
export type { Queryable as InventoryQueryable } from './data/inventory-repository';
export { DeadLetterQueue } from './dead-letters/dead-letter-queue';
export type { DeadLetterFilter, DeadLetterStats } from './dead-letters/dead-letter-queue';
export { deadLetter } from './dead-letters/write-dead-letter';
export type { DeadLetterTarget, StreamEntry } from './dead-letters/write-dead-letter';
