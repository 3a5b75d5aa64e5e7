import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { AdminKey } from '../admin-key';
import { AppError } from './app-error';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Which holder an offered key is, compared in constant time against every key (as digests, so length leaks nothing). */
export function keyHolder(keys: readonly AdminKey[]): (offered: string) => string | undefined {
  const expected = keys.map(({ name, key }) => ({ name, digest: digest(key) }));
  return (offered) => {
    const offeredDigest = digest(offered);
    let holder: string | undefined;
    for (const key of expected) if (timingSafeEqual(offeredDigest, key.digest)) holder ??= key.name;
    return holder;
  };
}

/** The actor of an admin request, set by adminOnly (or by the admin page's session). */
export function actorOf(res: Response): string {
  return typeof res.locals.actor === 'string' ? res.locals.actor : 'unknown';
}

/** X-API-Key must be one of the keys: missing → 401, wrong → 403; the holder's name becomes the request's actor. */
export function requireApiKey(keys: readonly AdminKey[]): RequestHandler {
  const holderOf = keyHolder(keys);
  return (req, res, next) => {
    const offered = req.get('x-api-key');
    if (offered === undefined || offered === '') {
      throw new AppError({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail: 'Send the admin API key in X-API-Key' });
    }
    const holder = holderOf(offered);
    if (holder === undefined) {
      throw new AppError({ status: 403, type: 'forbidden', title: 'Forbidden', detail: 'The API key is not valid' });
    }
    res.locals.actor = holder;
    next();
  };
}

/**
 * What every admin route needs: answers that no cache keeps (they hold whole events and reports) and an
 * admin key.
 */
export function adminOnly(keys: readonly AdminKey[]): RequestHandler[] {
  const noStore: RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
  return [noStore, requireApiKey(keys)];
}
