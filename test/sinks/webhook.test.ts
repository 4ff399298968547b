// The webhook sink: the Sink contract, the body and headers, the HMAC signature, and secrets kept out of errors.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SinkError } from '../../src/sinks/port.js';
import { createWebhookSink } from '../../src/sinks/webhook.js';
import { now, NOW, sampleAlert, sampleNotification, sendError } from './fixtures.js';
import { startHttpServer, unusedPort, type TestHttpServer } from './http-server.js';
import { runHttpSinkContract } from './sink-contract.js';

runHttpSinkContract('webhook', {
  makeSink: (url, timeoutMs) => createWebhookSink({ name: 'hook', type: 'webhook', url, timeoutMs }),
  accepted: { status: 204 },
});

const SECRET = 'whsec-9b1f0c2e7d';
const hmac = (secret: string, text: string): string =>
  `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;

describe('webhook sink', () => {
  let server: TestHttpServer;
  beforeAll(async () => {
    server = await startHttpServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  it('posts {id, kind, alert, url, sentAt} with the id and timestamp headers and extra headers', async () => {
    const sink = createWebhookSink(
      {
        name: 'hook',
        type: 'webhook',
        url: `${server.url}/hooks/trailwatch`,
        headers: { 'X-Team': 'secops' },
      },
      { now },
    );
    await sink.send(sampleNotification({ kind: 'update' }));
    const [request] = server.requests;
    expect(request?.path).toBe('/hooks/trailwatch');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      id: 'n-5d41402a',
      kind: 'update',
      alert: sampleAlert(),
      url: 'https://trailwatch.example/alerts/a-7f3c',
      sentAt: '2026-11-02T10:06:40.000Z',
    });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-trailwatch-id']).toBe('n-5d41402a');
    expect(request?.headers['x-trailwatch-timestamp']).toBe(String(NOW / 1000));
    expect(request?.headers['x-team']).toBe('secops');
    expect(request?.headers['x-trailwatch-signature']).toBeUndefined();
  });

  it('signs "<timestamp>.<body>" with the secret; another secret does not verify', async () => {
    const sink = createWebhookSink(
      { name: 'hook', type: 'webhook', url: server.url, secret: SECRET },
      { now },
    );
    await sink.send(sampleNotification());
    const [request] = server.requests;
    const signed = `${String(request?.headers['x-trailwatch-timestamp'])}.${request?.body}`;
    expect(request?.headers['x-trailwatch-signature']).toBe(hmac(SECRET, signed));
    expect(request?.headers['x-trailwatch-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(request?.headers['x-trailwatch-signature']).not.toBe(hmac('whsec-another', signed));
    expect(request?.headers['x-trailwatch-signature']).not.toBe(
      hmac(SECRET, `${NOW / 1000 + 1}.${request?.body}`),
    );
  });

  it('keeps the secret, URL credentials and query strings out of error messages', async () => {
    const url = `http://hookuser:hookpass-77@127.0.0.1:${new URL(server.url).port}/in?token=q-s3cr3t-token`;
    const sink = createWebhookSink({ name: 'hook', type: 'webhook', url, secret: SECRET, timeoutMs: 2000 });
    // A server that echoes the request back, secrets included.
    server.reply({ status: 401, body: `denied ${url} signed with ${SECRET}` });
    const refused = await sendError(sink.send(sampleNotification()));
    const down = createWebhookSink({
      name: 'hook',
      type: 'webhook',
      url: `http://u:hookpass-77@127.0.0.1:${await unusedPort()}/in?token=q-s3cr3t-token`,
      secret: SECRET,
    });
    const unreachable = await sendError(down.send(sampleNotification()));
    for (const error of [refused, unreachable]) {
      for (const secret of [SECRET, 'q-s3cr3t-token', 'token=', 'hookpass-77', 'hookuser'])
        expect(error.message).not.toContain(secret);
    }
    expect(refused.message).toBe(
      `Cannot deliver to webhook "hook" (http://***@127.0.0.1:${new URL(server.url).port}/in?…): ` +
        'HTTP 401 Unauthorized: denied *** signed with ***',
    );
    expect(refused.isRetryable).toBe(false);
    expect(unreachable.isRetryable).toBe(true);
  });

  it('sends URL credentials as Basic authorization (fetch refuses them in the URL)', async () => {
    const url = `http://hookuser:hook%20pass@127.0.0.1:${new URL(server.url).port}/in`;
    await createWebhookSink({ name: 'hook', type: 'webhook', url }).send(sampleNotification());
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('hookuser:hook pass').toString('base64')}`,
    );
    expect(server.requests[0]?.path).toBe('/in');
  });

  it('quotes at most the first 200 characters of a refusal', async () => {
    const sink = createWebhookSink({ name: 'hook', type: 'webhook', url: server.url });
    server.reply({ status: 422, body: 'y'.repeat(500) });
    const error = await sendError(sink.send(sampleNotification()));
    expect(error.message).toContain(`HTTP 422 Unprocessable Entity: ${'y'.repeat(200)}…`);
    expect(error.message).not.toContain('y'.repeat(201));
  });

  it.each([
    [408, true],
    [425, true],
    [429, true],
    [503, true],
    [404, false],
    [413, false],
  ])('classifies HTTP %i as retryable: %s', async (status, isRetryable) => {
    const sink = createWebhookSink({ name: 'hook', type: 'webhook', url: server.url });
    server.reply({ status });
    expect((await sendError(sink.send(sampleNotification()))).isRetryable).toBe(isRetryable);
  });

  it('does not follow redirects (the signed body would go elsewhere)', async () => {
    const sink = createWebhookSink({ name: 'hook', type: 'webhook', url: server.url });
    server.reply({ status: 302, headers: { Location: `${server.url}/elsewhere` } });
    const error = await sendError(sink.send(sampleNotification()));
    expect(error).toEqual({ message: expect.stringContaining('redirects') as string, isRetryable: false });
    expect(server.requests.map((r) => r.path)).toEqual(['/']);
  });

  it('refuses at creation an invalid URL and headers that Trailwatch sets itself', () => {
    const make = (config: { url: string; headers?: Record<string, string> }) => () =>
      createWebhookSink({ name: 'hook', type: 'webhook', ...config });
    expect(make({ url: 'not a url' })).toThrow(SinkError);
    expect(make({ url: 'ftp://example.com/x' })).toThrow(/expected an http or https URL, found ftp:/);
    expect(make({ url: server.url, headers: { 'x-trailwatch-signature': 'forged' } })).toThrow(
      /header x-trailwatch-signature is set by Trailwatch/,
    );
    expect(make({ url: server.url, headers: { 'Bad Header': 'x' } })).toThrow(/invalid 'headers'/);
  });
});
