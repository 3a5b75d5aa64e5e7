// The shared language of the three services. Rule: zod is the only allowed dependency.
export * from './problem';
export * from './pagination';
export * from './product';
export * from './inventory';
export * from './events';
export * from './dead-letter';
export * from './text';
export * from './reconcile';
export * from './consumption';
export * from './admin';
