// The dead-letter page at /admin, in a real browser (Debian's chromium, driven by playwright-core): sign in
// with the admin key, watch a poison entry appear, replay it, and see the count go back to 0.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { connectTestRedis } from '../../platform/test/support/redis-client';
import type { RedisClient } from '@stockstream/platform';
import { asFields, productEvent, seedDeadLetters, testDeadLetterStreams } from './support/dead-letters';
import { startInventoryApi } from './support/inventory-api';
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
    await page.waitForSelector('text=That key is not the admin key.');
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
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: path.join(__dirname, '..', '..', 'docs', 'admin-dead-letters.png') });

    await page.click('table a');
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
    await page.click('button:has-text("Purge")');
    await page.waitForSelector('text=cannot be replayed after');
    await page.click('button:has-text("Yes, purge it")');
    await page.waitForSelector('text=Purged.');
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
