import http from 'node:http';
import type { ServerOptions } from 'node:http';
import type { Express } from 'express';

const classesOfApp = new WeakMap<Express, ServerOptions>();

/**
 * The server's request and response classes for an Express app (give them to `listen`). Express hands
 * every request and response the app's own prototypes, `app.request` and `app.response`, with
 * `Object.setPrototypeOf` as they enter the app. On objects Node made as plain IncomingMessage and
 * ServerResponse, that change kept each request's objects (~10 KB) alive through young-generation
 * collections until the next full one, and product-api, held to a small heap, collected its old
 * generation several times a second. Here the app's prototypes become these classes' prototypes (Node's
 * documented way to extend the two), so the server makes every request and response with them already
 * in place and Express' change finds nothing to do (ADR 11; bench/history/2026-11-performance-notebook.md, "Express' prototypes").
 */
export function requestClassesOf(app: Express): ServerOptions {
  const known = classesOfApp.get(app);
  if (known) return known;
  class AppRequest extends http.IncomingMessage {}
  class AppResponse<Request extends http.IncomingMessage = http.IncomingMessage> extends http.ServerResponse<Request> {}
  adoptPrototype(AppRequest, app.request);
  adoptPrototype(AppResponse, app.response);
  app.request = AppRequest.prototype as Express['request'];
  app.response = AppResponse.prototype as Express['response'];
  const classes: ServerOptions = { IncomingMessage: AppRequest, ServerResponse: AppResponse };
  classesOfApp.set(app, classes);
  return classes;
}

/** Makes `cls.prototype` what `prototype` is: the same chain above it, the same own properties (Express' `app`). */
function adoptPrototype(cls: abstract new (...args: never[]) => object, prototype: object): void {
  Object.setPrototypeOf(cls.prototype, Object.getPrototypeOf(prototype) as object | null);
  Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(prototype));
}
