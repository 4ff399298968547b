// The Slack message for a notification: Block Kit blocks plus a `text` fallback, attacker text escaped.
import type { JsonObject } from '../../domain/json.js';
import { alertFields, originText } from '../alert-fields.js';
import type { Notification } from '../port.js';
import { oneLine } from '../text.js';

const EMOJI: Record<string, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/**
 * Text for mrkdwn: `&`, `<` and `>` escaped so that a crafted title or ARN cannot become a link
 * (`<https://evil|click>`) or a mention (`<!channel>`); one line, and clipped to what Slack accepts.
 */
export function escapeMrkdwn(value: string, max = 500): string {
  const clipped = value.length > max ? `${value.slice(0, max)}…` : value;
  return oneLine(clipped).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>` with the characters that would end the link early percent-encoded. */
function link(url: string, label: string): string {
  const href = url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
  return `<${href}|${escapeMrkdwn(label)}>`;
}

export function slackMessage(notification: Notification): JsonObject {
  const f = alertFields(notification.alert);
  const e = (value: string | null, fallback = '-'): string => escapeMrkdwn(value ?? fallback);
  const emoji = EMOJI[f.severity] ?? ':white_circle:';
  const update = notification.kind === 'new' ? '' : ` (${notification.kind})`;
  const headline = `${emoji} *${e(f.severity.toUpperCase())}*${update}: ${e(f.title)}`;
  const what = [`rule ${e(f.ruleId)}`, ...(f.techniques.length ? [e(f.techniques.join(', '))] : [])];
  const fields = [
    `*Who*\n${e(f.actorArn, 'unknown')}`,
    `*Origin*\n${e(originText(f), 'unresolved')}`,
    `*What*\n${what.join('\n')}`,
    `*Where*\naccount ${e(f.account, 'unknown')}, region ${e(f.region)}\nsource IP ${e(f.sourceIp)}`,
    `*Events*\n${f.count ?? '?'}`,
    `*Seen*\nfirst ${e(f.firstSeen, '?')}\nlast ${e(f.lastSeen, '?')}`,
  ];
  const footer = [`alert ${e(f.id)}`];
  if (notification.url !== null) footer.unshift(link(notification.url, 'Open in Trailwatch'));
  return {
    text: `${emoji} [${e(f.severity.toUpperCase())}]${update} ${e(f.title)} (account ${e(f.account, 'unknown')})`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: headline } },
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: footer.join(' · ') }] },
    ],
  };
}
