// The web UI in Chromium (playwright-core): hostile event fields stay text, the overview renders, ack works.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { resourceLabel } from '../../src/domain/resource-label.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { END, INSIGHT_ID, loadFixture, XSS_IMG, XSS_SCRIPT, type Fixture } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// Kept after the run (git-ignored) so a person can look at what each page looked like.
const SHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
const PAGES = ['overview', 'events', 'alerts', 'identity', 'rules'] as const;
const shotOf = (name: (typeof PAGES)[number]): string => path.join(SHOTS, `${name}.png`);
if (!hasChromium) console.log(`SKIPPED browser tests: ${CHROMIUM} not installed`);

describe.skipIf(!hasChromium)('web UI', () => {
  let f: Fixture;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
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
  });

  /** Waits until the page of the current location is complete (not one shown before it). */
  const ready = (view: string) =>
    page.waitForSelector(
      `#view[data-ready="${view}"][data-route=${JSON.stringify(new URL(page.url()).hash)}]`,
    );
  /** Opens the open alerts list (checking its OCSF download link) and clicks the first; its id. */
  const openFirstOpenAlert = async (): Promise<string> => {
    await page.goto(`${server.url}/#/alerts?status=open`);
    await ready('alerts');
    expect(await page.getAttribute('a.export[data-format="ocsf"]', 'href')).toBe(
      '/api/alerts/export?status=open&limit=500&format=ocsf',
    );
    const row = page.locator('#alerts-table tbody tr').first();
    const id = (await row.getAttribute('data-id')) ?? '';
    await row.click();
    return id;
  };
  const screenshot = async (name: (typeof PAGES)[number]): Promise<void> => {
    await page.screenshot({ path: shotOf(name), fullPage: true });
    expect(statSync(shotOf(name)).size, name).toBeGreaterThan(0);
  };

  it('renders the overview with the store numbers', async () => {
    await page.goto(`${server.url}/#/overview`);
    await ready('overview');
    const stats = await f.store.stats();
    expect(await page.textContent('[data-testid="events-count"]')).toBe(String(stats.events));
    const fresh = await f.store.freshness();
    const accounts = await page.locator('#freshness-table tbody tr td:first-child').allTextContents();
    expect(accounts).toEqual(fresh.map((a) => a.account));
    expect(await page.locator('#freshness-table .lag').first().textContent()).toMatch(/^-?\d+[dhms]/);
    await screenshot('overview');
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
    await screenshot('events');
  });

  it('marks Insights events, filters by category, and shows what an Insight reports as text', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/overview`);
    await ready('overview');
    await page.goto(`${server.url}/#/events`);
    await ready('events');
    // The category facet narrows the table to the Insights events.
    await page.click('[data-facet="eventCategory"] .facet-value >> text=Insight');
    await page.waitForURL((url) => url.hash.includes('eventCategory=Insight'));
    await ready('events');
    await expect.poll(() => page.locator('#events-table tbody tr').count()).toBe(2);
    expect(await page.locator('#events-table tbody tr .badge.insight').count()).toBe(2);
    await page.click(`#events-table tbody tr:has-text("DeleteBucket") >> nth=1`);
    await page.waitForSelector('#insight');
    const details = (await page.textContent('#insight')) ?? '';
    expect(await page.textContent('#event-detail h2')).toContain(INSIGHT_ID);
    for (const text of [
      'StateStart',
      'TypeApiCallRateInsight',
      'APIs3.amazonaws.com DeleteBucket',
      'Insight average4.5/min over 8 min',
      'Baseline average0.02/min over 10079 min',
    ])
      expect(details).toContain(text);
    const attributions = (await page.textContent('#insight-attributions')) ?? '';
    expect(attributions).toContain('arn:aws:iam::111122223333:user/backup-admin');
    expect(attributions).toContain(XSS_IMG);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    const xss: unknown = await page.evaluate('typeof window.__xss');
    expect(xss).toBe('undefined');
    expect(errors).toEqual([]);
    await page.locator('#event-detail').screenshot({ path: path.join(SHOTS, 'insight.png') });
  });

  it('acknowledges an alert through the UI', async () => {
    const id = await openFirstOpenAlert();
    await page.waitForSelector('#alert-status');
    expect(await page.textContent('#alert-status')).toBe('open');
    await page.click('#ack');
    await page.locator('#alert-status', { hasText: 'acknowledged' }).waitFor();
    const [stored] = await f.store.alerts({ ids: [id], statuses: ['acknowledged'], limit: 1 });
    expect(stored?.status).toBe('acknowledged');
    expect(await page.textContent(`#alerts-table tr[data-id="${id}"] .status`)).toBe('acknowledged');
    await screenshot('alerts');
  });

  it('assigns and comments on an alert through the UI; the history refreshes', async () => {
    // From another view, so no alert detail of an earlier test is still on the page.
    await page.goto(`${server.url}/#/overview`);
    await ready('overview');
    const id = await openFirstOpenAlert();
    await page.waitForSelector('#assign-to');
    await page.fill('#assign-to', 'carol');
    await page.click('#assign');
    await page.locator('#alert-assignee', { hasText: 'carol' }).waitFor();
    const [stored] = await f.store.alerts({ ids: [id], statuses: ['open', 'acknowledged'], limit: 1 });
    expect(stored?.assignee).toBe('carol');
    await page.fill('#comment-text', 'looked at it');
    await page.click('#comment');
    await page.locator('#alert-history li', { hasText: 'looked at it' }).waitFor();
    const history = await f.store.alertHistory(stored?.id ?? id);
    expect(history.map((h) => h.action)).toEqual(expect.arrayContaining(['assign', 'comment']));
  });

  it('loads older events with the "Older events" button, appending rows', async () => {
    await page.goto(`${server.url}/#/events`);
    await ready('events');
    const rows = page.locator('#events-table tbody tr');
    expect(await rows.count()).toBe(100);
    await page.click('#older');
    await page.locator('#events-table tbody tr >> nth=100').waitFor();
    const direct = await f.store.searchEvents({ limit: 200 });
    expect(await rows.count()).toBe(Math.min(200, direct.length));
    const times = await page.locator('#events-table tbody tr td:nth-child(1)').allTextContents();
    const fmt = (ms: number | undefined): string =>
      new Date(ms ?? 0)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')
        .replace('T', ' ');
    expect(times[100]).toBe(fmt(direct[100]?.eventTime));
    expect(times.at(-1)).toBe(fmt(direct.at(-1)?.eventTime));
    // The Resource column: what each event is about, from the list view the table asks for.
    const resources = await page.locator('#events-table tbody td.resource').allTextContents();
    expect(resources).toEqual(direct.map((e) => resourceLabel(e) ?? '-'));
    expect(resources.filter((r) => r !== '-').length).toBeGreaterThan(0);
  });

  it('opens the related events of an event: same request, session and sharedEventID', async () => {
    const all = await f.store.searchEvents({ limit: 100_000 });
    const e = all.find(
      (x) => x.sharedEventId !== null && x.requestId !== null && x.actor.accessKeyId !== null,
    );
    await page.goto(`${server.url}/#/overview`);
    await ready('overview');
    await page.goto(`${server.url}/#/events?sharedEventId=${e?.sharedEventId ?? ''}`);
    await ready('events');
    const copies = await f.store.searchEvents({ sharedEventIds: [e?.sharedEventId ?? ''] });
    expect(await page.locator('#events-table tbody tr').count()).toBe(copies.length);
    await page.click('#events-table tbody tr >> nth=0');
    await page.waitForSelector('#event-detail .related');
    const shown = copies[0];
    expect(await page.locator('#related-shared').count()).toBe(1);
    expect(await page.locator('#related-request').count()).toBe(shown?.requestId ? 1 : 0);
    expect(await page.locator('#related-session').count()).toBe(shown?.actor.accessKeyId ? 1 : 0);
    await page.click('#related-request');
    await page.waitForURL((url) => url.hash.includes('requestId='));
    const same = await f.store.searchEvents({ requestIds: [shown?.requestId ?? ''], limit: 200 });
    // The new view has no event detail open yet; its table holds exactly the request's events.
    await page.locator('#event-detail .related').waitFor({ state: 'detached' });
    await ready('events');
    await expect.poll(() => page.locator('#events-table tbody tr').count()).toBe(same.length);
    expect(same.length).toBeGreaterThan(0);
  });

  it("lists the rule pack with each rule's alerts of the last 7 days", async () => {
    await page.goto(`${server.url}/#/rules`);
    await ready('rules');
    const rows = page.locator('#rules-table tbody tr');
    expect(await rows.count()).toBe(f.rules.length);
    const ids: string[] = [];
    for (let i = 0; i < (await rows.count()); i++)
      ids.push((await rows.nth(i).getAttribute('data-id')) ?? '');
    const counts = await page.locator('#rules-table tbody .alerts-7d').allTextContents();
    const counted = ids.map((id, i) => [id, counts[i]] as const);
    const since = ((await f.store.stats()).newestEventTime ?? 0) - 7 * 24 * 3600_000;
    const alerts = await f.store.alerts({
      statuses: ['open', 'acknowledged', 'resolved', 'suppressed'],
      since,
      limit: 100_000,
    });
    for (const [id, n] of counted)
      expect(n, id ?? '').toBe(String(alerts.filter((a) => a.ruleId === id).length));
    expect(counted.some(([, n]) => n !== '0')).toBe(true);
    const enabled = await page.locator('#rules-table tbody .enabled').allTextContents();
    const statusOf = new Map(f.rules.map((r) => [r.meta.id, r.meta.status]));
    expect(enabled).toEqual(
      ids.map((id) => (['stable', 'test'].includes(statusOf.get(id) ?? '') ? 'yes' : 'no')),
    );
    expect(enabled).toContain('yes');
    await screenshot('rules');
  });

  it("shows the attacker's alerts and session chains in the identity view", async () => {
    // The attacker is the origin most of the fixture's alerts point at.
    const all = await f.store.alerts({ statuses: ['open', 'acknowledged', 'resolved', 'suppressed'] });
    const perOrigin = new Map<string, number>();
    for (const a of all) perOrigin.set(a.origin.name, (perOrigin.get(a.origin.name) ?? 0) + 1);
    const [attacker] = [...perOrigin].sort((a, b) => b[1] - a[1])[0] ?? [''];
    expect(attacker).toBe('backup-admin');
    await page.goto(`${server.url}/#/identity?q=${encodeURIComponent(attacker)}`);
    await ready('identity');
    const originId = all.find((a) => a.origin.name === attacker)?.origin.id ?? '';
    const own = await f.store.alerts({
      origins: [originId],
      statuses: ['open', 'acknowledged', 'resolved', 'suppressed'],
      limit: 100,
    });
    expect(own.length).toBeGreaterThan(0);
    const rows = page.locator('#identity-alerts tbody tr');
    expect(await rows.count()).toBe(own.length);
    const titles = await page.locator('#identity-alerts tbody tr td:nth-child(3)').allTextContents();
    expect(titles).toEqual(own.map((a) => a.title));
    const chains = await page.locator('.session .chain-line').allTextContents();
    expect(chains.length).toBeGreaterThan(0);
    expect(chains.some((c) => /^backup-admin → [^@ ]+@\d{12} \([^)]+\)/.test(c))).toBe(true);
    const link = page.locator('.session a', { hasText: 'events of this session' }).first();
    const key = (await page.locator('.session').first().getAttribute('data-key')) ?? '';
    expect(await link.getAttribute('href')).toBe(`#/events?accessKeyId=${key}`);
    // The drawn chain graph: the origin, one node per role reached, arrows between them.
    const graph = page.locator('svg.chain-graph');
    expect(await graph.locator('.chain-node.origin .chain-label').textContent()).toBe('backup-admin');
    const ids = await graph
      .locator('.chain-node:not(.origin)')
      .evaluateAll((gs: { getAttribute(name: string): string | null }[]) =>
        gs.map((g) => g.getAttribute('data-id') ?? ''),
      );
    const roles = ids.map((id) => {
      const [arn = '', account] = id.split('|');
      return `${arn.slice(arn.lastIndexOf('/') + 1)}@${account}`;
    });
    const hopRoles = new Set(
      chains.flatMap((c) =>
        c
          .split(' → ')
          .slice(1)
          .map((h) => h.slice(0, h.indexOf(' '))),
      ),
    );
    expect(new Set(roles)).toEqual(hopRoles);
    const edges = graph.locator('.chain-edge');
    expect(await edges.count()).toBeGreaterThanOrEqual(roles.length);
    expect(await graph.locator('.chain-edge[data-from="origin"]').count()).toBeGreaterThan(0);
    await screenshot('identity');
    // A role node opens the identity's events in that role.
    await graph.locator('a:has(.chain-node:not(.origin))').first().click();
    await page.waitForURL((url) => url.hash.startsWith('#/events?') && url.hash.includes('user='));
    await ready('events');
    await page.waitForSelector('#events-table tbody tr');
    expect(await page.locator('#events-table tbody tr').count()).toBeGreaterThan(0);
    await page.goto(`${server.url}/#/identity?q=${encodeURIComponent(attacker)}`);
    await ready('identity');
    await rows.first().click();
    await page.waitForURL((url) => url.hash.includes(`id=${own[0]?.id ?? ''}`));
    await ready('alerts');
    await page.waitForSelector('#alert-status');
  });

  it('leaves one non-empty screenshot per page under test-output/screenshots', () => {
    for (const name of PAGES) {
      expect(existsSync(shotOf(name)), name).toBe(true);
      expect(statSync(shotOf(name)).size, name).toBeGreaterThan(0);
    }
  });

  it('searches by resource, read-only and a custom time range from the filter form', async () => {
    const all = await f.store.searchEvents({ limit: 100_000 });
    const named = all.find((e) => e.readOnly !== null && e.resources.some((r) => r.arn?.includes('/')));
    const arn = named?.resources.find((r) => r.arn?.includes('/'))?.arn ?? '';
    const name = arn.split('/').at(-1) ?? '';
    const at = named?.eventTime ?? 0;
    const since = new Date(at - 86_400_000).toISOString();
    const filters = { resourceNames: [name], readOnly: named?.readOnly === true, since: Date.parse(since) };
    /** Submits the form with this end of the range; the table's resources and the store's list. */
    const search = async (until: number): Promise<[string[], string[]]> => {
      const iso = new Date(until).toISOString();
      await page.fill('input[name="until"]', iso);
      await page.click('form.filters button[type="submit"]');
      await page.waitForURL((url) => url.hash.includes(new URLSearchParams({ until: iso }).toString()));
      await ready('events');
      const direct = await f.store.searchEvents({ ...filters, until, limit: 100 });
      const shown = await page.locator('#events-table tbody td.resource').allTextContents();
      return [shown, direct.map((e) => resourceLabel(e) ?? '-')];
    };
    await page.goto(`${server.url}/#/events`);
    await ready('events');
    await page.fill('input[name="resourceName"]', name);
    await page.selectOption('select[name="readOnly"]', String(named?.readOnly));
    await page.fill('input[name="since"]', since);
    const [shown, expected] = await search(at);
    expect(shown).toEqual(expected);
    expect(shown).toContain(named && resourceLabel(named));
    // A range ending before that event leaves it out.
    const [before, expectedBefore] = await search(at - 1);
    expect(before).toEqual(expectedBefore);
    expect(before.length).toBeLessThan(shown.length);
    expect(await page.inputValue('input[name="resourceName"]')).toBe(name);
  });

  it('shows the table while the counts are still coming, then fills them in', async () => {
    // Hold the facets until the table is checked: the page must not wait for them.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/events/facets?**', async (r) => {
      await held;
      await r.continue();
    });
    try {
      const top = (await f.store.summarizeEvents({}, ['eventName'], 1)).facets.eventName?.[0]?.value;
      expect(top).toBeTruthy();
      const name = String(top);
      await page.goto(`${server.url}/#/events?eventName=${encodeURIComponent(name)}`);
      await page.locator('#events-table tbody tr >> nth=0').waitFor({ timeout: 10_000 });
      expect(await page.locator('#facets .counting').count()).toBe(1);
      expect(await page.locator('#view[data-ready]').count()).toBe(0);
      release();
      await ready('events');
      expect(await page.locator('#facets .counting').count()).toBe(0);
      expect(await page.locator('#histogram .counting').count()).toBe(0);
      const names = await page.locator('#facets [data-facet="eventName"] .facet-value').allTextContents();
      expect(names).toEqual([name]);
      const direct = await f.store.searchEvents({ eventNames: [name], limit: 100 });
      expect(await page.locator('#events-table tbody tr').count()).toBe(direct.length);
    } finally {
      release();
      await page.unroute('**/api/events/facets?**');
    }
  });

  it('draws the histogram and narrows the table by a facet click', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/events`);
    await ready('events');
    expect(await page.locator('#histogram svg rect.bar').count()).toBeGreaterThan(0);
    const before = await page.locator('#events-table tbody tr').count();
    const region = page.locator('#facets [data-facet="awsRegion"] .facet-value').nth(1);
    const value = (await region.textContent()) ?? '';
    await region.click();
    await page.waitForURL((url) => url.hash.includes(`region=${value}`));
    await ready('events');
    const after = await page.locator('#events-table tbody tr td:nth-child(6)').allTextContents();
    const direct = await f.store.searchEvents({ regions: [value], limit: 100 });
    expect(after.length).toBe(direct.length);
    expect(after.length).toBeLessThan(before + 1);
    expect(new Set(after)).toEqual(new Set([value]));
    expect(await page.inputValue('input[name="region"]')).toBe(value);
    expect(await page.getAttribute('a.export[data-format="csv"]', 'href')).toContain(`region=${value}`);
    expect(await page.getAttribute('a.export[data-format="ocsf"]', 'href')).toBe(
      `/api/events/export?region=${value}&format=ocsf`,
    );
    expect(errors).toEqual([]);
  });

  it('suppresses similar alerts from the alert detail', async () => {
    const id = await openFirstOpenAlert();
    await page.waitForSelector('#suppress-form');
    await page.fill('#suppress-reason', 'ui test job');
    await page.fill('#suppress-days', '7');
    await page.click('#suppress');
    await page.locator('#suppress-result', { hasText: 'Added sup-' }).waitFor();
    const [alert] = await f.store.alerts({ ids: [id], statuses: ['open', 'suppressed'], limit: 1 });
    const stored = (await f.store.suppressions()).find((s) => s.reason === 'ui test job');
    expect(stored).toMatchObject({
      ruleId: alert?.ruleId,
      author: 'web',
      expiresAt: END + 7 * 24 * 3600_000,
    });
    expect(stored?.match.account).toBe(alert?.account);
  });
});
