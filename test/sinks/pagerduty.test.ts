// The PagerDuty sink: the Sink contract, the Events API v2 trigger, severity mapping, and the routing key kept secret.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPagerDutySink, pagerDutySeverity } from '../../src/sinks/pagerduty.js';
import { sampleAlert, sampleNotification, sendError } from './fixtures.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { runHttpSinkContract } from './sink-contract.js';

const ACCEPTED = {
  status: 202,
  body: '{"status":"success","message":"Event processed","dedup_key":"a-7f3c"}',
  headers: { 'Content-Type': 'application/json' },
};
const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdef012345';

runHttpSinkContract('pagerduty', {
  makeSink: (url, timeoutMs) =>
    createPagerDutySink({ name: 'pd', type: 'pagerduty', routingKey: ROUTING_KEY, endpoint: url, timeoutMs }),
  accepted: ACCEPTED,
});

describe('pagerduty sink', () => {
  let server: TestHttpServer;
  beforeAll(async () => {
    server = await startHttpServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const sink = () =>
    createPagerDutySink({
      name: 'pd',
      type: 'pagerduty',
      routingKey: ROUTING_KEY,
      endpoint: `${server.url}/v2/enqueue`,
    });

  it('triggers an event deduplicated by alert id, and takes 202 as delivered', async () => {
    server.reply(ACCEPTED);
    await sink().send(sampleNotification());
    const [request] = server.requests;
    expect(request?.path).toBe('/v2/enqueue');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'a-7f3c',
      payload: {
        summary: '[high] Root console login from 203.0.113.9',
        source: 'aws account 123456789012',
        severity: 'error',
        timestamp: '2026-11-02T10:00:00.000Z',
        component: 'root (Root)',
        group: 'us-east-1',
        class: 'aws-root-console-login',
        custom_details: sampleAlert(),
      },
      links: [{ href: 'https://trailwatch.example/alerts/a-7f3c', text: 'Open in Trailwatch' }],
    });
  });

  it('keeps the same dedup_key for an update of the alert (another notification id)', async () => {
    server.reply(ACCEPTED);
    await sink().send(sampleNotification({ id: 'n-1', kind: 'new' }));
    await sink().send(sampleNotification({ id: 'n-2', kind: 'update', url: null }, { count: 9 }));
    const events = server.requests.map((r) => JSON.parse(r.body) as { dedup_key: string; links?: unknown });
    expect(events.map((e) => e.dedup_key)).toEqual(['a-7f3c', 'a-7f3c']);
    expect(events[1]?.links).toBeUndefined();
  });

  it('maps severities onto critical, error, warning and info', async () => {
    expect(['critical', 'high', 'medium', 'low', 'info', 'bogus'].map(pagerDutySeverity)).toEqual([
      'critical',
      'error',
      'warning',
      'info',
      'info',
      'info',
    ]);
    server.reply(ACCEPTED);
    await sink().send(sampleNotification({}, { severity: 'critical' }));
    expect(JSON.parse(server.requests[0]?.body ?? '')).toMatchObject({ payload: { severity: 'critical' } });
  });

  it('makes a 400 not retryable and a 429 retryable, never showing the routing key', async () => {
    server.reply({
      status: 400,
      body: `{"status":"invalid event","message":"Event object is invalid","errors":["${ROUTING_KEY}"]}`,
    });
    const invalid = await sendError(sink().send(sampleNotification()));
    expect(invalid.isRetryable).toBe(false);
    expect(invalid.message).toBe(
      `Cannot deliver to PagerDuty "pd" (${server.url}/v2/enqueue): HTTP 400 Bad Request: ` +
        '{"status":"invalid event","message":"Event object is invalid","errors":["***"]}',
    );
    server.reply({ status: 429, body: '{"status":"throttle event"}' });
    expect((await sendError(sink().send(sampleNotification()))).isRetryable).toBe(true);
  });

  it('defaults to the Events API v2 endpoint', () => {
    expect(createPagerDutySink({ name: 'pd', type: 'pagerduty', routingKey: ROUTING_KEY }).type).toBe(
      'pagerduty',
    );
  });
});
