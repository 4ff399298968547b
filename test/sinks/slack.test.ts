// The Slack sink: the Sink contract, a readable Block Kit message, and attacker text that cannot link or mention.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Json } from '../../src/domain/json.js';
import { escapeMrkdwn, slackMessage } from '../../src/sinks/slack/message.js';
import { createSlackSink } from '../../src/sinks/slack/sink.js';
import { sampleNotification, sendError } from './fixtures.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { runHttpSinkContract } from './sink-contract.js';

runHttpSinkContract('slack', {
  makeSink: (url, timeoutMs) => createSlackSink({ name: 'soc', type: 'slack', webhookUrl: url, timeoutMs }),
  accepted: { status: 200, body: 'ok' },
});

const EVIL = '<https://evil.example|click> <!channel> & co';

/** Every string in a JSON value. */
function strings(value: Json): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('slack sink', () => {
  let server: TestHttpServer;
  beforeAll(async () => {
    server = await startHttpServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  it('posts blocks and a text fallback: title, severity, who, what, where, when and the link', async () => {
    const sink = createSlackSink({
      name: 'soc',
      type: 'slack',
      webhookUrl: `${server.url}/services/T1/B2/x`,
    });
    server.reply({ status: 200, body: 'ok' });
    await sink.send(sampleNotification());
    const [request] = server.requests;
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      text: ':large_orange_circle: [HIGH] Root console login from 203.0.113.9 (account 123456789012)',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: ':large_orange_circle: *HIGH*: Root console login from 203.0.113.9' },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Who*\narn:aws:iam::123456789012:root' },
            { type: 'mrkdwn', text: '*Origin*\nroot (Root)' },
            { type: 'mrkdwn', text: '*What*\nrule aws-root-console-login\nT1078.004' },
            {
              type: 'mrkdwn',
              text: '*Where*\naccount 123456789012, region us-east-1\nsource IP 203.0.113.9',
            },
            { type: 'mrkdwn', text: '*Events*\n3' },
            { type: 'mrkdwn', text: '*Seen*\nfirst 2026-11-02T10:00:00.000Z\nlast 2026-11-02T10:05:00.000Z' },
          ],
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: '<https://trailwatch.example/alerts/a-7f3c|Open in Trailwatch> · alert a-7f3c',
            },
          ],
        },
      ],
    });
  });

  it.each([
    ['critical', ':red_circle:'],
    ['medium', ':large_yellow_circle:'],
    ['low', ':large_blue_circle:'],
    ['info', ':white_circle:'],
  ])('marks severity %s with %s', (severity, emoji) => {
    const message = slackMessage(sampleNotification({ kind: 'update', url: null }, { severity }));
    expect(message.text).toBe(
      `${emoji} [${severity.toUpperCase()}] (update) Root console login from 203.0.113.9 (account 123456789012)`,
    );
    expect(JSON.stringify(message)).not.toContain('Open in Trailwatch');
  });

  it('escapes &, < and > in attacker-controlled fields so they cannot link or mention', async () => {
    const sink = createSlackSink({ name: 'soc', type: 'slack', webhookUrl: server.url });
    server.reply({ status: 200, body: 'ok' });
    const notification = sampleNotification(
      {},
      {
        title: `Bucket ${EVIL} made public`,
        sourceIp: '<!here>',
        actor: {
          arn: `arn:aws:iam::123456789012:user/${EVIL}`,
          origin: { type: 'IAMUser', name: '<@U123>' },
        },
      },
    );
    await sink.send(notification);
    const body = server.requests[0]?.body ?? '';
    const texts = strings(JSON.parse(body) as Json).join('\n');
    expect(texts).not.toContain('<!channel>');
    expect(texts).not.toContain('<!here>');
    expect(texts).not.toContain('<@U123>');
    expect(texts).not.toContain('<https://evil.example');
    expect(texts).toContain(
      ':large_orange_circle: *HIGH*: Bucket &lt;https://evil.example|click&gt; &lt;!channel&gt; &amp; co made public',
    );
    expect(texts).toContain('*Who*\narn:aws:iam::123456789012:user/&lt;https://evil.example|click&gt;');
    // The only link left is ours.
    expect(texts.match(/<[^&]/g)).toEqual(['<h']);
  });

  it('escapes, flattens and clips text for mrkdwn', () => {
    expect(escapeMrkdwn('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
    expect(escapeMrkdwn('line\nbreak')).toBe('line break');
    expect(escapeMrkdwn('x'.repeat(600))).toBe(`${'x'.repeat(500)}…`);
  });

  it('keeps the webhook URL (its path is the secret) out of error messages', async () => {
    const sink = createSlackSink({
      name: 'soc',
      type: 'slack',
      webhookUrl: `${server.url}/services/T1/B2/S3cretPath`,
    });
    server.reply({ status: 404, body: 'no_service' });
    const error = await sendError(sink.send(sampleNotification()));
    expect(error).toEqual({
      message: `Cannot deliver to Slack "soc" (${server.url}/…): HTTP 404 Not Found: no_service`,
      isRetryable: false,
    });
  });
});
