// The inventory domain that inventory-api and inventory-worker share: stock records and their rules,
// what product events do to stock, and the dead-letter stream. No HTTP code, no process wiring.
export { InventoryRepository } from './data/inventory-repository';
export type { Queryable as InventoryQueryable } from './data/inventory-repository';
export { ProductEventsRepository, applyArguments } from './data/product-events-repository';
export { StockError } from './domain/stock-errors';
export type { StockErrorKind } from './domain/stock-errors';
export { applyProductEvents, eventToApply } from './product-events/apply-product-events';
export type { Applied, DeliveredEvent } from './product-events/apply-product-events';
export { DeadLetterQueue, SCAN_BUDGET, productIdOf } from './dead-letters/dead-letter-queue';
export type { DeadLetterQuery, DeadLetterStats } from './dead-letters/dead-letter-queue';
export type { ReplayOutcome } from './dead-letters/letter-actions';
export { causeOf, fingerprintOf } from './dead-letters/cause';
export { deadLetter } from './dead-letters/write-dead-letter';
export type { DeadLetterTarget, StreamEntry } from './dead-letters/write-dead-letter';
export { consumerGroupState } from './consumer-group/consumer-group-state';
export type { ConsumerGroupState } from './consumer-group/consumer-group-state';
export { ConsumptionSwitch } from './consumption/consumption-switch';
