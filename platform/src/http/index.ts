export * from './app-error';
// The Express app the APIs share: base app, request context, validation, errors as problem+json, OpenAPI.
export * from './validate';
export * from './error-handler';
export * from './request-context';
export * from './openapi';
export * from './base-app';
export * from './request-classes';
export * from './list-routes';
export * from './if-match';
export * from './route-template';
export * from './dependency-outage';
export * from './require-api-key';
