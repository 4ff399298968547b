// Plain-text renderings of a notification: the console's one line and the e-mail body.
import { alertFields, originText } from './alert-fields.js';
import type { Notification } from './port.js';

/**
 * Attacker-controlled text (titles, ARNs, user agents) on one safe line: control characters (which could
 * move a terminal's cursor or forge lines) and bidirectional overrides become spaces.
 */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ');
}

/** `HIGH  Root console login | origin alice (IAMUser) | account 123456789012 | https://…`, newline-terminated. */
export function consoleLine(notification: Notification): string {
  const f = alertFields(notification.alert);
  const parts = [
    `${f.severity.toUpperCase()}${notification.kind === 'new' ? '' : ` (${notification.kind})`}  ${f.title}`,
    `origin ${originText(f) ?? f.actorArn ?? 'unknown'}`,
    `account ${f.account ?? 'unknown'}`,
  ];
  if (notification.url !== null) parts.push(notification.url);
  return `${oneLine(parts.join(' | '))}\n`;
}

/** The body of an alert e-mail: what, who, where, when, the link and the runbook. */
export function plainText(notification: Notification): string {
  const f = alertFields(notification.alert);
  const lines = [
    `Trailwatch alert (${notification.kind}): ${oneLine(f.title)}`,
    '',
    `Severity:  ${f.severity}`,
    `Rule:      ${f.ruleId}${f.techniques.length ? ` (${f.techniques.join(', ')})` : ''}`,
    `Who:       ${oneLine(f.actorArn ?? 'unknown')}`,
    `Origin:    ${oneLine(originText(f) ?? 'unknown')}`,
    `Account:   ${f.account ?? 'unknown'}`,
    `Region:    ${f.region ?? '-'}`,
    `Source IP: ${oneLine(f.sourceIp ?? '-')}`,
    `Events:    ${f.count ?? '?'} (first ${f.firstSeen ?? '?'}, last ${f.lastSeen ?? '?'})`,
    `Alert id:  ${f.id}`,
  ];
  if (notification.url !== null) lines.push(`Link:      ${notification.url}`);
  if (f.runbook.trim() !== '') lines.push('', 'Runbook:', f.runbook.trimEnd());
  return `${lines.join('\n')}\n`;
}
