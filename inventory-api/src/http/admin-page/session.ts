import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'stockstream_admin';
const SESSION_SECONDS = 8 * 60 * 60;

const sign = (key: string, value: string) => createHmac('sha256', key).update(value).digest('base64url');

function equal(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sessions of the admin page, kept by the browser alone: a random id and an expiry, signed with the admin
 * key (so changing the key signs everyone out). The CSRF token of a session is derived from it, so a
 * form from another site, which cannot read the cookie, cannot carry it.
 */
export class AdminSessions {
  constructor(private readonly key: string) {}

  issue(now = Date.now()): string {
    const body = `${randomBytes(16).toString('base64url')}.${Math.floor(now / 1000) + SESSION_SECONDS}`;
    return `${body}.${sign(this.key, `session:${body}`)}`;
  }

  valid(token: string | undefined, now = Date.now()): boolean {
    if (!token) return false;
    const [id, expires, signature] = token.split('.');
    if (!id || !expires || !signature) return false;
    return equal(signature, sign(this.key, `session:${id}.${expires}`)) && Number(expires) * 1000 > now;
  }

  csrfToken(session: string): string {
    return sign(this.key, `csrf:${session}`);
  }

  csrfValid(session: string, token: unknown): boolean {
    return typeof token === 'string' && equal(token, this.csrfToken(session));
  }
}

/** The cookie header that holds a session: HttpOnly, SameSite=Strict, for the admin page's paths only. */
export function sessionCookie(value: string, maxAgeSeconds = SESSION_SECONDS): string {
  return `${SESSION_COOKIE}=${value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

export function sessionFrom(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}
