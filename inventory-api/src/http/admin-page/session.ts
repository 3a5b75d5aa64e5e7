import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { InventoryDb } from '@stockstream/prisma/inventory';

export const SESSION_COOKIE = 'stockstream_admin';
const SESSION_SECONDS = 8 * 60 * 60;
/** A token is 32 random bytes in base64url: anything else (extra parts, other characters) is refused unread. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

function equal(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sessions of the admin page, kept on the server (admin_sessions, by the token's hash): sign-out deletes the
 * row, so the cookie stops working at once, on every instance. The CSRF token of a session is derived from
 * it, so a form from another site, which cannot read the cookie, cannot carry it.
 */
export class AdminSessions {
  constructor(private readonly db: InventoryDb) {}

  async issue(actor: string, now = Date.now()): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.db.adminSession.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
    await this.db.adminSession.create({ data: { tokenHash: hashOf(token), actor, expiresAt: new Date(now + SESSION_SECONDS * 1000) } });
    return token;
  }

  /** The session's actor, or undefined for a token that is malformed, unknown, ended or expired. */
  async actorOf(token: string | undefined, now = Date.now()): Promise<string | undefined> {
    if (token === undefined || !TOKEN.test(token)) return undefined;
    const session = await this.db.adminSession.findUnique({ where: { tokenHash: hashOf(token) } });
    return session && session.expiresAt.getTime() > now ? session.actor : undefined;
  }

  async end(token: string): Promise<void> {
    await this.db.adminSession.deleteMany({ where: { tokenHash: hashOf(token) } });
  }

  csrfToken(session: string): string {
    return createHmac('sha256', session).update('csrf').digest('base64url');
  }

  csrfValid(session: string, token: unknown): boolean {
    return typeof token === 'string' && equal(token, this.csrfToken(session));
  }
}

/**
 * The cookie header that holds a session: HttpOnly, SameSite=Strict, for the admin page's paths only, and
 * Secure when the page is served over TLS.
 */
export function sessionCookie(
  value: string,
  { secure, maxAgeSeconds = SESSION_SECONDS }: { secure: boolean; maxAgeSeconds?: number },
): string {
  return `${SESSION_COOKIE}=${value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function sessionFrom(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}
