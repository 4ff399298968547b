// The HTTP API in-process against a real DuckDB store holding the demo trail: data, triage, OpenAPI, security.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment -- JSON bodies under test */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_FIELDS } from '../../src/domain/event-json.js';
import { EVENT_PARAMS } from '../../src/server/params.js';
import { ROUTES, startServer, type RunningServer } from '../../src/server/index.js';
import { END, loadFixture, type Fixture } from './fixture.js';

let f: Fixture;
let server: RunningServer;
let secured: RunningServer;
const TOKEN = 'test-token-0123456789';

beforeAll(async () => {
  f = await loadFixture();
  server = await startServer({ store: f.store, rules: f.rules, port: 0, now: () => END });
  secured = await startServer({ store: f.store, rules: f.rules, port: 0, token: TOKEN, now: () => END });
});
afterAll(async () => {
  await server.close();
  await secured.close();
  await f.cleanup();
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server.url + path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// Responses are probed field by field; a missing field fails the assertion that reads it.
type Json = Record<string, any>;

describe('data endpoints', () => {
  it('overview numbers equal the store', async () => {
    const { body } = (await get('/api/overview')) as { body: Json };
    const stats = await f.store.stats();
    expect(body.stats.events).toBe(stats.events);
    expect(body.stats.newestEventTime).toBe(new Date(stats.newestEventTime ?? 0).toISOString());
    const alerts = await f.store.alerts({
      statuses: ['open', 'acknowledged', 'resolved', 'suppressed'],
      limit: 10_000,
    });
    expect(body.alerts.total).toBe(alerts.length);
    expect(body.alerts.bySeverity.high).toBe(alerts.filter((a) => a.severity === 'high').length);
    const since = (stats.newestEventTime ?? 0) - 24 * 3600_000;
    const summary = await f.store.summarizeEvents({ since }, ['eventName'], 10);
    expect(body.window.events).toBe(summary.count);
    expect(body.topEventNames).toEqual(summary.facets.eventName);
    expect(body.topOrigins[0].name).toBe('backup-admin');
  });

  it('searches events with the search filters and attribution', async () => {
    const { body } = (await get('/api/events?eventName=DeleteDetector')) as { body: Json };
    expect(body.count).toBe(1);
    expect(body.events[0].eventName).toBe('DeleteDetector');
    expect(body.events[0].actor.origin.name).toBeTruthy();
    const failed = (await get('/api/events?outcome=failure&limit=1000')) as { body: Json };
    expect(failed.body.count).toBeGreaterThan(0);
    expect(failed.body.events.every((e: Json) => e.errorCode !== null)).toBe(true);
    const byOrigin = (await get('/api/events?origin=backup-admin&region=eu-west-1&limit=1000')) as {
      body: Json;
    };
    const direct = await f.store.searchEvents({
      origins: ['backup-admin'],
      regions: ['eu-west-1'],
      limit: 1000,
    });
    expect(byOrigin.body.count).toBe(direct.length);
    expect((await get('/api/events?limit=5000')).status).toBe(400);
    expect((await get('/api/events?since=yesterdayish')).body.error).toMatch(/since=yesterdayish/);
  });

  it('shows one event with its raw record, and 404 for an unknown one', async () => {
    const { body } = (await get('/api/events?eventName=DeleteDetector')) as { body: Json };
    const e = body.events[0] as Json;
    const one = (await get(`/api/events/${e.eventId}?account=${e.recipientAccountId}`)) as { body: Json };
    expect(one.body.event.raw.eventName).toBe('DeleteDetector');
    expect(one.body.event.actor.origin).toBeDefined();
    const missing = await get('/api/events/no-such-event');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/no event/);
  });

  it('lists alerts, acks, refuses resolve without a reason, resolves, and keeps the history', async () => {
    const list = (await get('/api/alerts?minSeverity=high&limit=50')) as { body: Json };
    expect(list.body.count).toBeGreaterThan(0);
    expect(list.body.alerts.every((a: Json) => ['high', 'critical'].includes(a.severity))).toBe(true);
    const id = list.body.alerts[0].id as string;
    const acked = (await post(`/api/alerts/${id}/ack`, { by: 'tester', comment: 'looking' })) as {
      body: Json;
    };
    expect(acked.body.alert.status).toBe('acknowledged');
    const noReason = await post(`/api/alerts/${id}/resolve`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toMatch(/resolve needs a reason.*benign/);
    const resolved = (await post(`/api/alerts/${id}/resolve`, { reason: 'benign' })) as { body: Json };
    expect(resolved.body.alert).toMatchObject({ status: 'resolved', resolution: 'benign' });
    const detail = (await get(`/api/alerts/${id}`)) as { body: Json };
    expect(detail.body.history.map((h: Json) => h.action)).toEqual(['created', 'acknowledge', 'resolve']);
    expect(detail.body.events.length).toBeGreaterThan(0);
    expect(detail.body.alert.runbook).toBeTypeOf('string');
    expect((await post(`/api/alerts/nope/ack`, {})).status).toBe(404);
    expect((await get('/api/alerts?status=bogus')).status).toBe(400);
  });

  it('answers who and rules', async () => {
    const who = (await get('/api/who?q=backup-admin')) as { body: Json };
    expect(who.body.profiles[0].origin.name).toBe('backup-admin');
    expect(who.body.profiles[0].activity.count).toBeGreaterThan(0);
    expect((await get('/api/who')).status).toBe(400);
    const rules = (await get('/api/rules')) as { body: Json };
    expect(rules.body.count).toBe(f.rules.length);
    expect(Object.keys(rules.body.rules[0]).sort()).toEqual(
      ['alerts7d', 'enabled', 'id', 'severity', 'status', 'tactics', 'techniques', 'title', 'type'].sort(),
    );
  });

  it("gives each who profile its origin's alerts, as the store lists them", async () => {
    const who = (await get('/api/who?q=backup-admin')) as { body: Json };
    const profile = who.body.profiles[0] as Json;
    const stored = await f.store.alerts({
      origins: [String(profile.origin.id)],
      statuses: ['open', 'acknowledged', 'resolved', 'suppressed'],
      limit: 100,
    });
    expect(stored.length).toBeGreaterThan(0);
    expect(profile.alerts.map((a: Json) => a.id)).toEqual(stored.map((a) => a.id));
    expect(profile.alerts[0]).toMatchObject({ severity: stored[0]?.severity, status: stored[0]?.status });
    const nobody = (await get('/api/who?q=no-such-identity-anywhere')) as { body: Json };
    expect(nobody.body.count).toBe(0);
  });

  it('marks rules enabled exactly when their status is stable or test', async () => {
    const { body } = (await get('/api/rules')) as { body: Json };
    const statuses = new Set((body.rules as Json[]).map((r) => r.status));
    expect(statuses.size).toBeGreaterThan(1);
    for (const r of body.rules as Json[])
      expect(r.enabled, r.id).toBe(r.status === 'stable' || r.status === 'test');
    expect((body.rules as Json[]).some((r) => r.enabled)).toBe(true);
  });

  it("counts each rule's alerts over the last 7 days of data", async () => {
    const { body } = (await get('/api/rules')) as { body: Json };
    const since = ((await f.store.stats()).newestEventTime ?? 0) - 7 * 24 * 3600_000;
    expect(body.alertsSince).toBe(new Date(since).toISOString());
    const alerts = await f.store.alerts({
      statuses: ['open', 'acknowledged', 'resolved', 'suppressed'],
      since,
      limit: 100_000,
    });
    expect(alerts.length).toBeGreaterThan(0);
    for (const r of body.rules as Json[])
      expect(r.alerts7d, r.id).toBe(alerts.filter((a) => a.ruleId === r.id).length);
    const total = (body.rules as Json[]).reduce((n, r) => n + (r.alerts7d as number), 0);
    expect(total).toBe(alerts.filter((a) => f.rules.some((r) => r.meta.id === a.ruleId)).length);
  });
});

describe('related events, paging and freshness', () => {
  it('filters by requestId, sharedEventId and accessKeyId exactly as the store does', async () => {
    const all = await f.store.searchEvents({ limit: 100_000 });
    // A cross-account event: both copies are stored, under the same sharedEventID.
    const shared = all.find(
      (e) =>
        e.requestId !== null && all.filter((o) => o.sharedEventId === (e.sharedEventId ?? '-')).length === 2,
    );
    const keyed = all.find((e) => e.actor.accessKeyId !== null);
    const sharedId = shared?.sharedEventId ?? '';
    const requestId = shared?.requestId ?? '';
    const key = keyed?.actor.accessKeyId ?? '';
    const typed = all.flatMap((e) => e.resources).find((r) => r.type && r.arn?.includes('/'));
    const lastPart = typed?.arn?.split('/').at(-1) ?? '';
    expect(sharedId && requestId && key && lastPart).toBeTruthy();
    const cases: [string, Parameters<typeof f.store.searchEvents>[0]][] = [
      [`sharedEventId=${encodeURIComponent(sharedId)}`, { sharedEventIds: [sharedId] }],
      [`requestId=${encodeURIComponent(requestId)}`, { requestIds: [requestId] }],
      [`accessKeyId=${encodeURIComponent(key)}`, { accessKeyIds: [key] }],
      [`eventId=${encodeURIComponent(keyed?.eventId ?? '')}`, { eventIds: [keyed?.eventId ?? ''] }],
      ['readOnly=false', { readOnly: false }],
      ['readOnly=true&eventSource=s3.amazonaws.com', { readOnly: true, eventSources: ['s3.amazonaws.com'] }],
      [`resourceType=${encodeURIComponent(typed?.type ?? '')}`, { resourceTypes: [typed?.type ?? ''] }],
      // By an ARN's last part, as CloudTrail's event history matches a resource name.
      [`resourceName=${encodeURIComponent(lastPart)}`, { resourceNames: [lastPart] }],
    ];
    for (const [param, query] of cases) {
      const { body } = (await get(`/api/events?${param}&limit=1000`)) as { body: Json };
      const direct = await f.store.searchEvents({ ...query, limit: 1000 });
      expect(
        body.events.map((e: Json) => e.eventId),
        param,
      ).toEqual(direct.map((e) => e.eventId));
      expect(body.count, param).toBeGreaterThan(0);
    }
    expect((await get('/api/events?readOnly=yes')).body.error).toMatch(
      /readOnly=yes: expected one of true, false/,
    );
    const { body: copies } = (await get(`/api/events?sharedEventId=${sharedId}`)) as { body: Json };
    expect(copies.count).toBe(2);
    expect(new Set(copies.events.map((e: Json) => e.recipientAccountId)).size).toBe(2);
  });

  it('pages with the next cursor: two pages are the first 2×limit of one big page', async () => {
    const big = (await get('/api/events?limit=40')) as { body: Json };
    const first = (await get('/api/events?limit=20')) as { body: Json };
    expect(first.body.next).toMatch(/^\d+:.+$/);
    const second = (await get(`/api/events?limit=20&before=${encodeURIComponent(first.body.next)}`)) as {
      body: Json;
    };
    const ids = (b: Json): string[] => b.events.map((e: Json) => `${e.recipientAccountId}/${e.eventId}`);
    expect([...ids(first.body), ...ids(second.body)]).toEqual(ids(big.body));
    const stats = await f.store.stats();
    const all = (await get(`/api/events?limit=1000&since=2000-01-01`)) as { body: Json };
    expect(all.body.count).toBe(Math.min(1000, stats.events));
    const last = (await get('/api/events?eventName=DeleteDetector&limit=5')) as { body: Json };
    expect(last.body.next).toBeNull();
    for (const bad of ['x', '123', ':abc', 'abc:def', '-5:e', '123:abc'])
      expect((await get(`/api/events?before=${bad}`)).status, bad).toBe(400);
    expect((await get('/api/events?before=nope')).body.error).toMatch(
      /before=nope.*<epochMs>:<account>:<eventId>/,
    );
  });

  it("lists events with view=list: the table's fields, attribution and resource, paged like full events", async () => {
    const full = (await get('/api/events?limit=300')) as { body: Json };
    const list = (await get('/api/events?limit=300&view=list')) as { body: Json };
    expect(list.body.next).toBe(full.body.next);
    expect(list.body.events).toHaveLength(full.body.events.length);
    const keys = [...LIST_FIELDS, 'eventTime', 'actor'];
    list.body.events.forEach((e: Json, i: number) => {
      const whole = full.body.events[i];
      for (const k of keys) expect(e[k], `${e.eventId} ${k}`).toEqual(whole[k]);
      expect(e.sessionNameCheck).toEqual(whole.sessionNameCheck);
      expect(e).not.toHaveProperty('requestParameters');
      expect(e).not.toHaveProperty('responseElements');
    });
    // The resource: a named ARN first, else the request's name for it.
    const resources = list.body.events.map((e: Json) => e.resource);
    expect(resources.some((r: unknown) => typeof r === 'string' && r.startsWith('arn:'))).toBe(true);
    expect(resources.some((r: unknown) => typeof r === 'string' && !r.startsWith('arn:'))).toBe(true);
    list.body.events.forEach((e: Json, i: number) => {
      const arn = full.body.events[i].resources.find((r: Json) => r.arn)?.arn;
      if (arn) expect(e.resource).toBe(arn);
    });
    expect((await get('/api/events?view=compact')).status).toBe(400);
  });

  it('overview reports per-account freshness from the store', async () => {
    const { body } = (await get('/api/overview')) as { body: Json };
    const fresh = await f.store.freshness();
    expect(fresh.length).toBeGreaterThan(0);
    expect(body.freshness).toEqual(
      fresh.map((a) => ({
        account: a.account,
        newestEvent: new Date(a.newestEvent).toISOString(),
        lastIngest: new Date(a.lastIngest).toISOString(),
        lagMs: a.lastIngest - a.newestEvent,
      })),
    );
    const [one] = await f.store.searchEvents({ accounts: [fresh[0]?.account ?? ''], limit: 1 });
    expect(fresh[0]?.newestEvent).toBe(one?.eventTime);
    expect(fresh[0]?.lastIngest).toBe(END);
  });
});

describe('event explorer endpoints', () => {
  it('returns the facets of the filtered events, as the store counts them', async () => {
    const { body } = (await get('/api/events/facets?region=eu-west-1&outcome=failure')) as { body: Json };
    const direct = await f.store.summarizeEvents(
      { regions: ['eu-west-1'], outcome: 'failure' },
      [
        'eventName',
        'eventSource',
        'identityType',
        'eventCategory',
        'recipientAccountId',
        'awsRegion',
        'sourceIpAddress',
        'errorCode',
      ],
      10,
    );
    expect(body.count).toBe(direct.count);
    expect(body.count).toBeGreaterThan(0);
    expect(body.facets).toEqual(direct.facets);
    expect(body.facets.awsRegion).toEqual([{ value: 'eu-west-1', count: direct.count }]);
    const byType = (await get('/api/events?identityType=AWSService&limit=1000')) as { body: Json };
    const typed = await f.store.searchEvents({ identityTypes: ['AWSService'], limit: 1000 });
    expect(byType.body.count).toBe(typed.length);
    expect((await get('/api/events/facets?top=0')).status).toBe(400);
  });

  it('finds Insights events by category and returns what an Insight reports with the event', async () => {
    const { body } = (await get('/api/events?eventCategory=insight')) as { body: Json };
    expect(body.events.map((e: Json) => [e.eventName, e.eventCategory])).toEqual([
      ['DeleteBucket', 'Insight'],
      ['DeleteBucket', 'Insight'],
    ]);
    const one = (await get('/api/events/insight-start-1')) as { body: Json };
    expect(one.body.event.insight).toMatchObject({
      state: 'Start',
      eventName: 'DeleteBucket',
      insightType: 'ApiCallRateInsight',
      baselineAverage: 0.0208,
      insightAverage: 4.5,
      insightDuration: 8,
      baselineDuration: 10079,
    });
    expect(one.body.event.insight.attributions.map((a: Json) => a.attribute)).toEqual([
      'userIdentityArn',
      'userAgent',
      'errorCode',
    ]);
  });

  it('buckets the filtered events over time by outcome', async () => {
    const { body } = (await get('/api/events/histogram?buckets=60&account=111122223333')) as { body: Json };
    const whole = await f.store.summarizeEvents({ accounts: ['111122223333'] }, []);
    expect(body.buckets).toHaveLength(60);
    expect(body.count).toBe(whole.count);
    expect(body.start).toBe(new Date(whole.firstSeen ?? 0).toISOString());
    const sum = (k: string) => (body.buckets as Json[]).reduce((n, b) => n + (b[k] as number), 0);
    expect(sum('success') + sum('failure')).toBe(whole.count);
    expect(sum('failure')).toBe(whole.errors);
    const busiest = (body.buckets as Json[]).reduce((a, b) => (b.success > a.success ? b : a));
    const from = Date.parse(busiest.start as string);
    const one = await f.store.summarizeEvents(
      { accounts: ['111122223333'], since: from, until: from + (body.bucketMs as number) - 1 },
      [],
    );
    expect(busiest.success).toBe(one.count - one.errors);
    expect(busiest.success).toBeGreaterThan(0);
    const none = (await get('/api/events/histogram?eventName=NoSuchEvent')) as { body: Json };
    expect(none.body).toMatchObject({ count: 0, buckets: [] });
    expect((await get('/api/events/histogram?buckets=1000')).status).toBe(400);
  });

  it('exports the filtered events as CSV and JSON lines attachments', async () => {
    const csv = await fetch(`${server.url}/api/events/export?format=csv&eventName=PutBucketTagging`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="trailwatch-events-.*\.csv"$/,
    );
    expect(csv.headers.get('content-security-policy')).toContain("default-src 'self'");
    const lines = (await csv.text()).trimEnd().split('\r\n');
    const direct = await f.store.searchEvents({ eventNames: ['PutBucketTagging'], limit: 10_000 });
    expect(lines[0]).toMatch(/^eventTime,eventId,eventSource,eventName,/);
    expect(lines).toHaveLength(direct.length + 1);
    expect(lines.some((l) => l.includes('xss-event-0'))).toBe(true);
    const jsonl = await fetch(`${server.url}/api/events/export?format=jsonl&eventName=DeleteDetector`);
    expect(jsonl.headers.get('content-disposition')).toMatch(/\.jsonl"$/);
    const rows = (await jsonl.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.eventName).toBe('DeleteDetector');
    expect((await get('/api/events/export?format=xlsx')).status).toBe(400);
  });
});

describe('suppressions', () => {
  it('adds a suppression from the alert detail form and lists it', async () => {
    const [alert] = await f.store.alerts({ limit: 1 });
    const body = {
      ruleId: alert?.ruleId,
      match: { account: alert?.account, 'actor.arn': alert?.actorArn ?? 'arn:aws:iam::1:user/x' },
      reason: 'nightly backup job',
      expiresDays: 30,
    };
    const added: { status: number; body: Json } = await post('/api/suppressions', body, {
      Origin: server.url,
    });
    expect(added.status).toBe(200);
    const s = added.body.suppression as Json;
    expect(s.id).toMatch(/^sup-[0-9a-f]{8}$/);
    expect(s).toMatchObject({ ruleId: alert?.ruleId, reason: 'nightly backup job', author: 'web' });
    expect(s.createdAt).toBe(new Date(END).toISOString());
    expect(s.expiresAt).toBe(new Date(END + 30 * 24 * 3600_000).toISOString());
    const stored = (await f.store.suppressions()).find((x) => x.id === s.id);
    expect(stored).toMatchObject({ match: body.match, author: 'web', expiresAt: END + 30 * 24 * 3600_000 });
    const list = (await get('/api/suppressions')) as { body: Json };
    expect((list.body.suppressions as Json[]).map((x) => x.id)).toContain(s.id);
    expect(list.body.count).toBe((await f.store.suppressions()).length);
    const by = (await post('/api/suppressions', { ...body, by: 'alice', expiresDays: undefined })) as {
      body: Json;
    };
    expect(by.body.suppression).toMatchObject({ author: 'alice', expiresAt: null });
  });

  it('refuses a suppression without a reason or with bad input', async () => {
    const count = (await f.store.suppressions()).length;
    const noReason = await post('/api/suppressions', { ruleId: 'x', match: { account: '1' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toMatch(/needs a reason/);
    expect((await post('/api/suppressions', { reason: 'r', match: 'x' })).status).toBe(400);
    expect((await post('/api/suppressions', { reason: 'r', match: {} })).status).toBe(400);
    expect(
      (await post('/api/suppressions', { reason: 'r', ruleId: 'x', match: {}, expiresDays: -1 })).status,
    ).toBe(400);
    const cross = await post(
      '/api/suppressions',
      { reason: 'r', ruleId: 'x', match: {} },
      { Origin: 'http://evil.example' },
    );
    expect(cross.status).toBe(403);
    const form = await fetch(`${server.url}/api/suppressions`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ reason: 'r', ruleId: 'x', match: {} }),
    });
    expect(form.status).toBe(415);
    const noToken = await fetch(`${secured.url}/api/suppressions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'r', ruleId: 'x', match: {} }),
    });
    expect(noToken.status).toBe(401);
    expect((await f.store.suppressions()).length).toBe(count);
  });

  it('describes every served route in the OpenAPI document', async () => {
    const { body } = (await get('/api/openapi.json')) as { body: Json };
    expect(body.openapi).toBe('3.1.0');
    const searchParams = body.paths['/api/events'].get.parameters.map((p: Json) => p.name);
    for (const name of EVENT_PARAMS) expect(searchParams, name).toContain(name);
    for (const r of ROUTES)
      expect(body.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    const documented = Object.entries(body.paths as Json).flatMap(([p, ops]) =>
      Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('answers unknown paths with JSON 404', async () => {
    const r = await get('/api/nothing');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/unknown API path/);
  });
});

describe('security', () => {
  it('requires the bearer token when one is set', async () => {
    expect((await fetch(`${secured.url}/api/overview`)).status).toBe(401);
    const wrong = await fetch(`${secured.url}/api/overview`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as Json).error).toMatch(/token/);
    const right = await fetch(`${secured.url}/api/overview`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(200);
  });

  it('refuses cross-origin and non-JSON state changes', async () => {
    const [alert] = await f.store.alerts({ limit: 1 });
    const id = alert?.id ?? '';
    const cross = await post(`/api/alerts/${id}/ack`, {}, { Origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    const form = await fetch(`${server.url}/api/alerts/${id}/ack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'reason=benign',
    });
    expect(form.status).toBe(415);
    const same = await post(`/api/alerts/${id}/comment`, { comment: 'ok' }, { Origin: server.url });
    expect(same.status).toBe(200);
  });

  it('refuses a foreign Host header without a token (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/api/overview`, { headers: { Host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('sets the security headers on every response', async () => {
    for (const path of ['/', '/app.js', '/api/overview', '/api/nothing']) {
      const res = await fetch(server.url + path);
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
      );
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('refuses to listen on 0.0.0.0 without a token', async () => {
    await expect(startServer({ store: f.store, rules: f.rules, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without a token/,
    );
    const open = await startServer({
      store: f.store,
      rules: f.rules,
      host: '0.0.0.0',
      port: 0,
      token: TOKEN,
    });
    await open.close();
  });
});
