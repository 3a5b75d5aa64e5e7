import express, { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { DeadLetterReason, storableText } from '@stockstream/contracts';
import type { ConsumptionSwitch, DeadLetterQueue } from '@stockstream/inventory-core';
import { consumerGroupState } from '@stockstream/inventory-core';
import { AppError, keyMatcher, parseRequest } from '@stockstream/platform/http';
import type { RedisClient } from '@stockstream/platform';
import { DeadLetterIdParams } from '../admin-dlq-routes';
import { AdminSessions, sessionCookie, sessionFrom } from './session';
import { confirmPurgePage, disabledPage, indexPage, letterPage, signInPage } from './views';

export interface AdminPageDeps {
  redis: RedisClient;
  deadLetters: DeadLetterQueue;
  consumption: ConsumptionSwitch;
  apiKey: string;
  group: string;
  refreshSeconds: number;
}

const NOTICES = z.enum(['replayed', 'replayed-all', 'purged', 'gone', 'unreplayable', 'paused', 'resumed']);
const count = z.coerce.number().int().min(0).max(1_000_000).optional();
const IndexQuery = z.strictObject({
  reason: DeadLetterReason.optional(),
  done: NOTICES.optional(),
  n: count,
  skipped: count,
});

function notice(done: z.infer<typeof NOTICES> | undefined, n: number | undefined, skipped: number | undefined): string | undefined {
  if (done === 'replayed') return 'Replayed: the event is back on the product stream.';
  if (done === 'replayed-all') {
    const left = skipped ? ` ${skipped} could not be replayed (their fields are not a stream entry): they stay, to purge.` : '';
    return `Replayed ${n ?? 0} dead letters.${left}`;
  }
  if (done === 'unreplayable')
    return 'Not replayed: its fields are not a stream entry that can go back. Purge it, or put a corrected event on the stream.';
  if (done === 'purged') return 'Purged.';
  if (done === 'paused') return 'Consumption paused: every worker holds within a claim interval and a read.';
  if (done === 'resumed') return 'Consumption resumed: the backlog drains.';
  if (done === 'gone') return 'That dead letter is not there any more.';
  return undefined;
}

/** The page's pause form: an empty reason is no reason. */
const PauseForm = z.object({ reason: storableText('reason').max(500).default(''), csrf: z.string() });

const html = (res: Response, status: number, body: string) => res.status(status).type('html').set('Cache-Control', 'no-store').send(body);

/** Without ADMIN_API_KEY the page exists only to say that admin is disabled. */
export function adminDisabledPage(): Router {
  const router = Router();
  router.get('/', (_req, res) => html(res, 404, disabledPage()));
  return router;
}

/**
 * The dead-letter page at /admin: server-rendered HTML, no front-end build. Sign-in with the admin key
 * sets an HttpOnly, SameSite=Strict session cookie; every state-changing form carries the session's CSRF
 * token; answers redirect (303) back to the page, which refreshes itself.
 */
export function adminPageRoutes({ redis, deadLetters, consumption, apiKey, group, refreshSeconds }: AdminPageDeps): Router {
  const router = Router();
  const sessions = new AdminSessions(apiKey);
  const apiKeyMatches = keyMatcher(apiKey);
  router.use(express.urlencoded({ extended: false, limit: '10kb' }));

  router.post('/session', (req, res) => {
    const offered = (req.body as { apiKey?: unknown } | undefined)?.apiKey;
    if (typeof offered !== 'string' || !apiKeyMatches(offered)) {
      html(res, 401, signInPage(true));
      return;
    }
    res.set('Set-Cookie', sessionCookie(sessions.issue())).redirect(303, '/admin');
  });

  const signedIn: RequestHandler = (req, res, next) => {
    const session = sessionFrom(req.get('cookie'));
    if (!session || !sessions.valid(session)) {
      if (req.method === 'GET') {
        html(res, 401, signInPage(false));
        return;
      }
      throw new AppError({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail: 'Sign in at /admin first' });
    }
    res.locals.session = session;
    if (req.method === 'POST' && !sessions.csrfValid(session, (req.body as { csrf?: unknown } | undefined)?.csrf)) {
      throw new AppError({
        status: 403,
        type: 'forbidden',
        title: 'Forbidden',
        detail: 'The form is stale or not from this page; reload it',
      });
    }
    next();
  };
  const csrfOf = (res: Response) => sessions.csrfToken(String(res.locals.session));

  router.get('/', signedIn, async (req, res) => {
    const { reason, done, n, skipped } = parseRequest(IndexQuery, req.query, 'query');
    const [stats, letters, state, consuming] = await Promise.all([
      deadLetters.stats(),
      deadLetters.list({ reason, limit: 200 }),
      consumerGroupState(redis, deadLetters.productStream, group),
      consumption.state(),
    ]);
    html(
      res,
      200,
      indexPage({
        stats,
        letters,
        reason,
        group: state,
        groupName: group,
        consumption: consuming,
        csrf: csrfOf(res),
        notice: notice(done, n, skipped),
        refreshSeconds,
      }),
    );
  });

  router.get('/letters/:id', signedIn, async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    const letter = await deadLetters.get(id);
    if (letter) html(res, 200, letterPage(letter, csrfOf(res)));
    else res.redirect(303, '/admin?done=gone');
  });

  router.post('/letters/:id/replay', signedIn, async (req, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    const [replayed] = await deadLetters.replay([id]);
    const done = { replayed: 'replayed', unreplayable: 'unreplayable', unknown: 'gone' }[replayed?.outcome ?? 'unknown'];
    res.redirect(303, `/admin?done=${done}`);
  });

  router.post('/replay-all', signedIn, async (req, res) => {
    const { reason } = parseRequest(z.object({ reason: DeadLetterReason, csrf: z.string() }), req.body, 'body');
    const outcomes = await deadLetters.replayAll({ reason });
    const replayed = outcomes.filter((outcome) => outcome.outcome === 'replayed').length;
    const skipped = outcomes.filter((outcome) => outcome.outcome === 'unreplayable').length;
    res.redirect(303, `/admin?done=replayed-all&n=${replayed}&skipped=${skipped}`);
  });

  router.post('/letters/:id/purge', signedIn, async (req: Request, res) => {
    const { id } = parseRequest(DeadLetterIdParams, req.params, 'params');
    if ((req.body as { confirmed?: unknown }).confirmed !== 'yes') {
      const letter = await deadLetters.get(id);
      if (letter) html(res, 200, confirmPurgePage(letter, csrfOf(res)));
      else res.redirect(303, '/admin?done=gone');
      return;
    }
    const purged = await deadLetters.purge([id]);
    res.redirect(303, `/admin?done=${purged.length > 0 ? 'purged' : 'gone'}`);
  });

  router.post('/pause', signedIn, async (req, res) => {
    const { reason } = parseRequest(PauseForm, req.body, 'body');
    await consumption.pause({ reason: reason || undefined, by: 'admin' });
    res.redirect(303, '/admin?done=paused');
  });

  router.post('/resume', signedIn, async (_req, res) => {
    await consumption.resume();
    res.redirect(303, '/admin?done=resumed');
  });

  router.post('/sign-out', signedIn, (_req, res) => {
    res.set('Set-Cookie', sessionCookie('', 0)).redirect(303, '/admin');
  });

  return router;
}
