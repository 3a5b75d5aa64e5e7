import express, { Router } from 'express';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { CauseId, DeadLetterId, DeadLetterReason, storableText } from '@stockstream/contracts';
import { consumerGroupState } from '@stockstream/inventory-core';
import { AppError, keyHolder, parseRequest } from '@stockstream/platform/http';
import type { Logger, RedisClient } from '@stockstream/platform';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { pauseConsumption, purgeOne, replayOne, resumeConsumption } from '../../admin/audited-actions';
import type { InventoryAdmin } from '../../admin/inventory-admin';
import { CauseParams, DeadLetterIdParams, jobProblem } from '../admin-dlq-routes';
import { AdminSessions, sessionCookie, sessionFrom } from './session';
import { SignInThrottle } from './sign-in-throttle';
import { auditPage, confirmGroupPurgePage, confirmPurgePage, disabledPage, errorPage, indexPage, letterPage, signInPage } from './views';

export interface AdminPageDeps {
  admin: InventoryAdmin;
  db: InventoryDb;
  redis: RedisClient;
  logger: Logger;
  throttle?: SignInThrottle;
}

const NOTICES = {
  replayed: 'Replayed: the event is back on the product stream.',
  unreplayable: 'Not replayed: its fields are not a stream entry that can go back. Purge it, or put a corrected event on the stream.',
  purged: 'Purged.',
  paused: 'Consumption paused: every worker holds within a claim interval and a read.',
  resumed: 'Consumption resumed: the backlog drains.',
  gone: 'That dead letter is not there any more.',
  'job-started': 'Job started: its progress is below.',
} as const;

const IndexQuery = z.strictObject({
  reason: DeadLetterReason.optional(),
  cause: CauseId.optional(),
  cursor: DeadLetterId.optional(),
  done: z.enum(Object.keys(NOTICES) as [keyof typeof NOTICES]).optional(),
});

const AuditPageQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
});

/** The page's pause form: an empty reason is no reason. */
const PauseForm = z.object({ reason: storableText('reason').max(500).default(''), csrf: z.string() });

const html = (res: Response, status: number, body: string) => res.status(status).type('html').set('Cache-Control', 'no-store').send(body);

/** Without an admin key the page exists only to say that admin is disabled. */
export function adminDisabledPage(): Router {
  const router = Router();
  router.get('/', (_req, res) => html(res, 404, disabledPage()));
  return router;
}

/**
 * The dead-letter page at /admin: server-rendered HTML, no front-end build. Sign-in with an admin key
 * starts a session kept on the server, in an HttpOnly, SameSite=Strict cookie (Secure over TLS); every
 * state-changing form carries the session's CSRF token; answers redirect (303) back to the page, which
 * refreshes itself. Every action is audited under the key's name; errors are pages, not JSON.
 */
export function adminPageRoutes({ admin, db, redis, logger, throttle = new SignInThrottle() }: AdminPageDeps): Router {
  const { deadLetters, consumption, audit, jobs, group, refreshSeconds } = admin;
  const router = Router();
  const sessions = new AdminSessions(db);
  const holderOf = keyHolder(admin.keys);
  const secure = (req: Request) => admin.secureCookie || req.secure;
  router.use(express.urlencoded({ extended: false, limit: '10kb' }));

  router.post('/session', async (req, res) => {
    const address = req.ip ?? 'unknown';
    const waitMs = throttle.waitMs(address);
    if (waitMs > 0) {
      res.set('Retry-After', String(Math.ceil(waitMs / 1000)));
      html(res, 429, signInPage('Too many failed sign-ins from here: wait a little, then try again.'));
      return;
    }
    const offered = (req.body as { apiKey?: unknown } | undefined)?.apiKey;
    const actor = typeof offered === 'string' ? holderOf(offered) : undefined;
    if (actor === undefined) {
      const failures = throttle.failed(address);
      if (throttle.worthAWarning(failures)) logger.warn('repeated failed admin sign-ins', { address, failures });
      await audit.record({ actor: 'unknown', action: 'sign-in', outcome: 'failed', detail: `from ${address}` });
      html(res, 401, signInPage('That key is not an admin key.'));
      return;
    }
    throttle.succeeded(address);
    const token = await sessions.issue(actor);
    await audit.record({ actor, action: 'sign-in', outcome: 'ok', detail: `from ${address}` });
    res.set('Set-Cookie', sessionCookie(token, { secure: secure(req) })).redirect(303, '/admin');
  });

  const signedIn: RequestHandler = async (req, res, next) => {
    const session = sessionFrom(req.get('cookie'));
    const actor = await sessions.actorOf(session);
    if (session === undefined || actor === undefined) {
      if (req.method === 'GET') {
        html(res, 401, signInPage());
        return;
      }
      throw new AppError({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail: 'Sign in at /admin first.' });
    }
    res.locals.session = session;
    res.locals.actor = actor;
    if (req.method === 'POST' && !sessions.csrfValid(session, (req.body as { csrf?: unknown } | undefined)?.csrf)) {
      throw new AppError({
        status: 403,
        type: 'forbidden',
        title: 'Forbidden',
        detail: 'The form is stale or not from this page: reload it.',
      });
    }
    next();
  };
  const csrfOf = (res: Response) => sessions.csrfToken(String(res.locals.session));
  const actorOf = (res: Response) => String(res.locals.actor);

  router.get('/', signedIn, async (req, res) => {
    const { reason, cause, cursor, done } = parseRequest(IndexQuery, req.query, 'query');
    const [stats, groups, page, state, consuming, perMinute, recentJobs, recentActions] = await Promise.all([
      deadLetters.stats(),
      deadLetters.groups(),
      deadLetters.list({ reason, cause, cursor, limit: 50 }),
      consumerGroupState(redis, deadLetters.productStream, group),
      consumption.state(),
      deadLetters.perMinute(),
      jobs.recent(5),
      audit.page({ limit: 10 }),
    ]);
    html(
      res,
      200,
      indexPage({
        stats,
        groups,
        page,
        filter: { reason, cause },
        group: state,
        groupName: group,
        consumption: consuming,
        perMinute,
        jobs: recentJobs,
        audit: recentActions.items,
        csrf: csrfOf(res),
        notice: done === undefined ? undefined : NOTICES[done],
        refreshSeconds,
      }),
    );
  });

  router.get('/actions', signedIn, async (req, res) => {
    const { cursor } = parseRequest(AuditPageQuery, req.query, 'query');
    html(res, 200, auditPage(await audit.page({ limit: 100, cursor }), csrfOf(res)));
  });

  router.get('/letters/:id', signedIn, async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    const letter = await deadLetters.get(id);
    if (letter) html(res, 200, letterPage(letter, csrfOf(res), admin.traceUiUrl));
    else res.redirect(303, '/admin?done=gone');
  });

  router.post('/letters/:id/replay', signedIn, async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    const { outcome } = await replayOne(admin, actorOf(res), id);
    const done = { replayed: 'replayed', unreplayable: 'unreplayable', unknown: 'gone' }[outcome];
    res.redirect(303, `/admin?done=${done}`);
  });

  router.post('/letters/:id/purge', signedIn, async (req: Request, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    if ((req.body as { confirmed?: unknown }).confirmed !== 'yes') {
      const letter = await deadLetters.get(id);
      if (letter) html(res, 200, confirmPurgePage(letter, csrfOf(res)));
      else res.redirect(303, '/admin?done=gone');
      return;
    }
    const purged = await purgeOne(admin, actorOf(res), id);
    res.redirect(303, `/admin?done=${purged ? 'purged' : 'gone'}`);
  });

  for (const kind of ['replay', 'purge'] as const) {
    router.post(`/groups/:id/${kind}`, signedIn, async (req, res) => {
      const { id } = parseRequest(CauseParams, req.params, 'params');
      if (kind === 'purge' && (req.body as { confirmed?: unknown }).confirmed !== 'yes') {
        const group = await deadLetters.group(id);
        if (group) html(res, 200, confirmGroupPurgePage(group, csrfOf(res)));
        else res.redirect(303, '/admin?done=gone');
        return;
      }
      await jobs.start(kind, id, actorOf(res)).catch(jobProblem);
      res.redirect(303, '/admin?done=job-started');
    });
  }

  router.post('/pause', signedIn, async (req, res) => {
    const { reason } = parseRequest(PauseForm, req.body, 'body');
    await pauseConsumption(admin, actorOf(res), reason || undefined);
    res.redirect(303, '/admin?done=paused');
  });

  router.post('/resume', signedIn, async (_req, res) => {
    await resumeConsumption(admin, actorOf(res));
    res.redirect(303, '/admin?done=resumed');
  });

  router.post('/sign-out', signedIn, async (req, res) => {
    await sessions.end(String(res.locals.session));
    await audit.record({ actor: actorOf(res), action: 'sign-out', outcome: 'ok' });
    res.set('Set-Cookie', sessionCookie('', { secure: secure(req), maxAgeSeconds: 0 })).redirect(303, '/admin');
  });

  // The page's own errors are pages: a problem+json in a browser tab helps nobody.
  const pageErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (!(error instanceof AppError) || res.headersSent) {
      next(error);
      return;
    }
    html(res, error.status, errorPage(error.status, error.title, error.detail ?? '', error.errors ?? []));
  };
  router.use(pageErrors);
  return router;
}
