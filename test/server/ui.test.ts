// The web UI in Chromium (playwright-core): hostile event fields stay text, the overview renders, ack works.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { END, loadFixture, XSS_IMG, XSS_SCRIPT, type Fixture } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`SKIPPED browser tests: ${CHROMIUM} not installed`);

describe.skipIf(!hasChromium)('web UI', () => {
  let f: Fixture;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const shots = mkdtempSync(path.join(tmpdir(), 'tw-ui-'));

  beforeAll(async () => {
    f = await loadFixture();
    server = await startServer({ store: f.store, rules: f.rules, port: 0, now: () => END });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await f?.cleanup();
    rmSync(shots, { recursive: true, force: true });
  });

  const ready = (view: string) => page.waitForSelector(`#view[data-ready="${view}"]`);

  it('renders the overview with the store numbers', async () => {
    await page.goto(`${server.url}/#/overview`);
    await ready('overview');
    const stats = await f.store.stats();
    expect(await page.textContent('[data-testid="events-count"]')).toBe(String(stats.events));
    await page.screenshot({
      path: process.env.TW_SCREENSHOT ?? path.join(shots, 'overview.png'),
      fullPage: true,
    });
  });

  it('shows hostile event fields as literal text and never runs them', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/events?eventName=PutBucketTagging`);
    await ready('events');
    await page.click('#events-table tbody tr >> nth=0');
    await page.waitForSelector('#raw');
    const detail = (await page.textContent('#event-detail')) ?? '';
    expect(detail).toContain(`with ${XSS_IMG}`);
    expect(await page.textContent('#raw')).toContain(XSS_IMG.replace(/"/g, '\\"'));
    await page.click('#events-table tbody tr >> nth=1');
    await page.locator('#event-detail', { hasText: XSS_SCRIPT }).waitFor();
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain(XSS_SCRIPT);
    const xss: unknown = await page.evaluate('typeof window.__xss');
    expect(xss).toBe('undefined');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('#view script').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('acknowledges an alert through the UI', async () => {
    await page.goto(`${server.url}/#/alerts?status=open`);
    await ready('alerts');
    const row = page.locator('#alerts-table tbody tr').first();
    const id = (await row.getAttribute('data-id')) ?? '';
    await row.click();
    await page.waitForSelector('#alert-status');
    expect(await page.textContent('#alert-status')).toBe('open');
    await page.click('#ack');
    await page.locator('#alert-status', { hasText: 'acknowledged' }).waitFor();
    const [stored] = await f.store.alerts({ ids: [id], statuses: ['acknowledged'], limit: 1 });
    expect(stored?.status).toBe('acknowledged');
    expect(await page.textContent(`#alerts-table tr[data-id="${id}"] .status`)).toBe('acknowledged');
  });
});
