// The dead-letter page at /admin, in a real browser (Debian's chromium, driven by playwright-core): sign in
// with the admin key, watch a poison entry appear, replay it, and see the count go back to 0.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { connectTestRedis } from '../../platform/test/support/redis-client';
import { createLogger } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { captureLogLines } from '../../platform/test/support/log-lines';
import { asFields, productEvent, seedDeadLetters, testDeadLetterStreams } from './support/dead-letters';
import { startInventoryApi } from './support/inventory-api';
import { SignInThrottle } from '../src/http/admin-page/sign-in-throttle';
import type { InventoryApiHarness } from './support/inventory-api';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const API_KEY = 'page-admin-key-0123456789';
const streams = testDeadLetterStreams();
let redis: RedisClient;
let api: InventoryApiHarness;
let browser: Browser;
let page: Page;
let base: string;

// .ci/run installs Debian's chromium; without it (a bare developer machine) the browser test cannot run.
const describeInBrowser = fs.existsSync(CHROMIUM) ? describe : describe.skip;

beforeAll(async () => {
  redis = await connectTestRedis();
  api = await startInventoryApi({ redis, apiKey: API_KEY, deadLetterStream: streams.deadLetterStream, productStream: streams.stream });
  base = `http://127.0.0.1:${api.server.port}`;
  await redis.xGroupCreate(streams.stream, streams.group, '$', { MKSTREAM: true });
});
afterAll(async () => {
  await browser?.close();
  await api.close();
  await redis.del([streams.stream, streams.deadLetterStream]);
  await redis.close();
});

describeInBrowser('the dead-letter page in a browser', () => {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  test('a wrong key is refused; the right one signs in with an HttpOnly, SameSite=Strict cookie', async () => {
    await page.goto(`${base}/admin`);
    await page.fill('input[name=apiKey]', 'not-the-key-at-all');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=That key is not an admin key.');
    await page.fill('input[name=apiKey]', API_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=empty]');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'stockstream_admin', httpOnly: true, sameSite: 'Strict', path: '/admin' });
  });

  test('a poison entry appears by itself, can be looked at, and replaying it brings the count to 0', async () => {
    const event = productEvent('product.created');
    await seedDeadLetters(redis, streams, [{ fields: asFields(event), reason: 'max-deliveries', error: 'sku POISON is refused' }]);
    // No reload by the test: the page refreshes itself.
    await page.waitForSelector('text=sku POISON is refused', { timeout: 15_000 });
    expect(await page.textContent('[data-testid=total] b')).toBe('1');

    await page.click('a[href^="/admin/letters/"]');
    await page.waitForSelector(`text=${event.data.productId}`);
    await page.click('button:has-text("Replay")');
    await page.waitForSelector('text=Replayed: the event is back on the product stream.');
    expect(await page.textContent('[data-testid=total] b')).toBe('0');
    const [replayed] = (await redis.xRevRange(streams.stream, '+', '-', { COUNT: 1 })) ?? [];
    expect(replayed?.message.id).toBe(event.id);
  });

  test('pause takes a reason and shows who paused and since when; resume lets the workers read again', async () => {
    const key = `${streams.stream}:consumption`;
    await page.goto(`${base}/admin`);
    expect(await page.textContent('[data-testid=consumption]')).toContain('Running');
    await page.fill('input[name=reason]', 'bad deploy of the price service');
    await page.click('button:has-text("Pause consumption")');
    await page.waitForSelector('text=Consumption paused');
    const shown = await page.textContent('[data-testid=consumption]');
    expect(shown).toContain('Paused');
    expect(shown).toContain('by admin: bad deploy of the price service');
    expect(await redis.hGetAll(key)).toMatchObject({ paused: '1', by: 'admin', reason: 'bad deploy of the price service' });
    await page.click('button:has-text("Resume consumption")');
    await page.waitForSelector('text=Consumption resumed');
    expect(await page.textContent('[data-testid=consumption]')).toContain('Running');
    expect(await redis.exists(key)).toBe(0);
  });

  test('purge asks first, then deletes', async () => {
    await seedDeadLetters(redis, streams, [{ fields: { id: 'x', data: '{' }, reason: 'invalid', error: 'data: not valid JSON' }]);
    await page.goto(`${base}/admin`);
    await page.click('tr:has(a[href^="/admin/letters/"]) button:has-text("Purge")');
    await page.waitForSelector('text=cannot be replayed after');
    await page.click('button:has-text("Yes, purge it")');
    await page.waitForSelector('text=Purged.');
    expect(await redis.xLen(streams.deadLetterStream)).toBe(0);
  });

  test('letters of two causes show as two groups, largest first; replaying a group is a job whose progress the page shows; the audit lists it', async () => {
    const many = Array.from({ length: 120 }, () => {
      const event = productEvent('product.updated');
      return {
        fields: asFields(event),
        reason: 'max-deliveries' as const,
        error: `no inventory record for product ${event.data.productId}`,
      };
    });
    const few = Array.from({ length: 30 }, (_, i) => ({
      fields: asFields(productEvent()),
      reason: 'max-deliveries' as const,
      error: `sku "POISON-${i}" is refused`,
    }));
    await seedDeadLetters(redis, streams, [...many, ...few]);
    await page.goto(`${base}/admin`);
    const groups = await page.$$eval('[data-testid=group]', (rows) => rows.map((row) => row.textContent ?? ''));
    expect(groups).toHaveLength(2);
    expect(groups[0]).toContain('120');
    expect(groups[0]).toContain('no inventory record for product <id>');
    expect(groups[1]).toContain('30');
    expect(groups[1]).toContain('sku "…" is refused');
    expect(await page.$('[data-testid=chart] rect[height]:not([height="0"])')).not.toBeNull();
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: path.join(__dirname, '..', '..', 'docs', 'admin-dead-letters.png') });

    await page.click('[data-testid=group] button:has-text("Replay 120")');
    await page.waitForSelector('text=Job started');
    await api.admin?.jobs.idle();
    await page.goto(`${base}/admin`);
    expect(await page.textContent('[data-testid=job]')).toContain('120 of 120');
    expect(await page.textContent('[data-testid=job-status]')).toBe('done');
    expect(await page.textContent('[data-testid=total] b')).toBe('30');
    expect(await page.$$('[data-testid=group]')).toHaveLength(1);

    await page.click('a[href="/admin/actions"]');
    const actions = await page.$$eval('[data-testid=audit]', (rows) => rows.map((row) => row.textContent ?? ''));
    expect(actions[0]).toMatch(/admin\s*dead-letter\.group-replay.*120\s*ok/s);
    expect(actions.some((row) => /admin\s*sign-in.*ok/s.test(row))).toBe(true);
    expect(actions.some((row) => /unknown\s*sign-in.*failed/s.test(row))).toBe(true);

    // Purging a group asks first.
    await page.goto(`${base}/admin`);
    await page.click('[data-testid=group] button:has-text("Purge 30")');
    await page.waitForSelector('text=cannot be replayed after');
    expect(await redis.xLen(streams.deadLetterStream)).toBe(30);
    await page.click('button:has-text("Yes, purge 30")');
    await page.waitForSelector('text=Job started');
    await api.admin?.jobs.idle();
    expect(await redis.xLen(streams.deadLetterStream)).toBe(0);
  });
});

describe('the dead-letter page without a browser', () => {
  test("a form posted without the session's CSRF token is refused (403) and changes nothing", async () => {
    const signIn = await api.http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(303);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    const [id] = await seedDeadLetters(redis, streams, [{ fields: { id: 'y', data: '{' }, reason: 'invalid', error: 'x' }]);
    await api.http.post(`/admin/letters/${id}/replay`).set('Cookie', cookie).type('form').send({ csrf: 'forged' }).expect(403);
    await api.http.post(`/admin/letters/${id}/replay`).type('form').send({}).expect(401);
    await api.http.post('/admin/pause').set('Cookie', cookie).type('form').send({ csrf: 'forged' }).expect(403);
    expect(await redis.exists(`${streams.stream}:consumption`)).toBe(0);
    expect(await redis.xLen(streams.deadLetterStream)).toBe(1);
    await redis.xDel(streams.deadLetterStream, id ?? '0-0');
  });

  test('errors of the page are pages: a stale form is a 403 in HTML, not problem+json', async () => {
    const signIn = await api.http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(303);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    const res = await api.http.post('/admin/resume').set('Cookie', cookie).type('form').send({ csrf: 'forged' }).expect(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('The form is stale or not from this page');
  });

  test('sign-out ends the session on the server: the old cookie no longer opens the page', async () => {
    const signIn = await api.http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(303);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    const page = await api.http.get('/admin').set('Cookie', cookie).expect(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    await api.http.post('/admin/sign-out').set('Cookie', cookie).type('form').send({ csrf }).expect(303);
    const after = await api.http.get('/admin').set('Cookie', cookie).expect(401);
    expect(after.text).toContain('Sign in');
  });

  test('a session token with extra parts, or made up, is refused', async () => {
    const signIn = await api.http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(303);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    await api.http.get('/admin').set('Cookie', `${cookie}.extra`).expect(401);
    await api.http
      .get('/admin')
      .set('Cookie', `stockstream_admin=${'A'.repeat(43)}`)
      .expect(401);
  });

  test('named keys: each signs in as its name, and the audit says who did what', async () => {
    const named = await startInventoryApi({
      redis,
      apiKey: API_KEY,
      moreKeys: [{ name: 'alice', key: 'alice-key-0123456789abcdef' }],
      deadLetterStream: streams.deadLetterStream,
      productStream: streams.stream,
    });
    try {
      const signIn = await named.http.post('/admin/session').type('form').send({ apiKey: 'alice-key-0123456789abcdef' }).expect(303);
      const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
      const page = await named.http.get('/admin').set('Cookie', cookie).expect(200);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      await named.http.post('/admin/pause').set('Cookie', cookie).type('form').send({ csrf, reason: 'checking' }).expect(303);
      expect(await redis.hGet(`${streams.stream}:consumption`, 'by')).toBe('alice');
      await named.http.post('/admin/resume').set('Cookie', cookie).type('form').send({ csrf }).expect(303);
      const audit = await named.http.get('/admin/audit').set('X-API-Key', 'alice-key-0123456789abcdef').expect(200);
      expect(audit.body.items.slice(0, 3).map((entry: { actor: string; action: string }) => `${entry.actor} ${entry.action}`)).toEqual([
        'alice consumption.resume',
        'alice consumption.pause',
        'alice sign-in',
      ]);
      expect(JSON.stringify(audit.body)).not.toContain('alice-key-0123456789abcdef');
    } finally {
      await named.close();
    }
  });

  test('the cookie is Secure when the page is served over TLS, or when a setting says so', async () => {
    const secure = await startInventoryApi({
      redis,
      apiKey: API_KEY,
      secureCookie: true,
      deadLetterStream: streams.deadLetterStream,
      productStream: streams.stream,
    });
    try {
      const signIn = await secure.http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(303);
      expect(String(signIn.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
    const plain = await api.http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(303);
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  test('repeated failed sign-ins from one address are slowed (429 with Retry-After, even for the right key) and logged as a warning', async () => {
    const logger = createLogger('inventory-api-test', 'info');
    const lines = captureLogLines(logger);
    const throttled = await startInventoryApi({
      redis,
      logger,
      apiKey: API_KEY,
      deadLetterStream: streams.deadLetterStream,
      productStream: streams.stream,
      signInThrottle: new SignInThrottle({ freeFailures: 3, firstDelayMs: 60_000, maxDelayMs: 60_000, windowMs: 60_000 }),
    });
    try {
      for (let i = 0; i < 4; i++)
        await throttled.http
          .post('/admin/session')
          .type('form')
          .send({ apiKey: `wrong-${i}` })
          .expect(401);
      const slowed = await throttled.http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(429);
      expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(0);
      expect(slowed.text).toContain('Too many failed sign-ins');
      const failed = await throttled.db.adminAction.count({ where: { action: 'sign-in', outcome: 'failed' } });
      expect(failed).toBe(4);
      const warnings = lines.filter((line) => line.message === 'repeated failed admin sign-ins');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn', failures: 4 });
    } finally {
      await throttled.close();
    }
  });

  test("a letter's page shows its trace id, a link to the trace UI when TRACE_UI_URL gives one", async () => {
    const traced = await startInventoryApi({
      redis,
      apiKey: API_KEY,
      traceUiUrl: 'https://traces.example/trace/{traceId}',
      deadLetterStream: streams.deadLetterStream,
      productStream: streams.stream,
    });
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const [id] = await seedDeadLetters(redis, streams, [
        { fields: { ...asFields(productEvent()), traceparent: `00-${traceId}-00f067aa0ba902b7-01` }, reason: 'max-deliveries', error: 'x' },
      ]);
      const signIn = await traced.http.post('/admin/session').type('form').send({ apiKey: API_KEY }).expect(303);
      const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
      const page = await traced.http.get(`/admin/letters/${id}`).set('Cookie', cookie).expect(200);
      expect(page.text).toContain(`<a data-testid="trace" href="https://traces.example/trace/${traceId}">${traceId}</a>`);
      await traced.admin?.deadLetters.purge([id!]);
    } finally {
      await traced.close();
    }
  });

  test('without ADMIN_API_KEY the page says that admin is disabled', async () => {
    const plain = await startInventoryApi();
    try {
      const res = await plain.http.get('/admin').expect(404);
      expect(res.text).toContain('Admin is disabled');
    } finally {
      await plain.close();
    }
  });
});
