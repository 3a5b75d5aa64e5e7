import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from './app-error';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether an offered key is the key, compared in constant time (as digests, so length leaks nothing). */
export function keyMatcher(apiKey: string): (offered: string) => boolean {
  const expected = digest(apiKey);
  return (offered) => timingSafeEqual(digest(offered), expected);
}

/** X-API-Key must match: missing → 401, wrong → 403. */
export function requireApiKey(apiKey: string): RequestHandler {
  const matches = keyMatcher(apiKey);
  return (req, _res, next) => {
    const offered = req.get('x-api-key');
    if (offered === undefined || offered === '') {
      throw new AppError({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail: 'Send the admin API key in X-API-Key' });
    }
    if (!matches(offered)) {
      throw new AppError({ status: 403, type: 'forbidden', title: 'Forbidden', detail: 'The API key is not valid' });
    }
    next();
  };
}

/**
 * What every admin route needs: answers that no cache keeps (they hold whole events and reports) and the
 * admin key.
 */
export function adminOnly(apiKey: string): RequestHandler[] {
  const noStore: RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
  return [noStore, requireApiKey(apiKey)];
}
