// `trailwatch alerts ack|resolve|reopen|assign|comment|show ID`: the triage workflow, every change in the history.
import { RESOLUTIONS } from '../domain/alert.js';
import type { AlertUpdate, Store, StoredAlert } from '../storage/port.js';
import { oneOf } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { isoTime, printable } from './format.js';
import type { Io } from './io.js';

export const TRIAGE_ACTIONS = ['ack', 'resolve', 'reopen', 'assign', 'comment', 'show'] as const;
export type TriageAction = (typeof TRIAGE_ACTIONS)[number];

export interface TriageOptions {
  reason?: string | undefined;
  comment?: string | undefined;
  to?: string | undefined;
  by?: string | undefined;
}

function describe(a: StoredAlert): string {
  return [
    `${a.id}  ${a.severity}  ${a.status}${a.resolution ? ` (${a.resolution})` : ''}${a.assignee ? `  assigned to ${printable(a.assignee)}` : ''}`,
    `  ${printable(a.title)}`,
    `  rule ${a.ruleId}; ${a.count} events ${isoTime(a.firstSeen)} → ${isoTime(a.lastSeen)}; account ${a.account}; origin ${printable(a.origin.name)}`,
    ...(a.suppressedBy ? [`  suppressed by ${a.suppressedBy}`] : []),
  ].join('\n');
}

export async function runTriage(
  store: Store,
  action: TriageAction,
  id: string,
  o: TriageOptions,
  io: Io,
): Promise<number> {
  const [alert] = await store.alerts({
    ids: [id],
    limit: 2,
    statuses: ['open', 'acknowledged', 'resolved', 'suppressed'],
  });
  if (!alert) throw new UsageError(`no alert with id ${id} (see trailwatch alerts)`);
  if (action === 'show') {
    io.out(describe(alert) + '\n  history:\n');
    for (const h of await store.alertHistory(alert.id))
      io.out(
        `    ${isoTime(h.at)} ${printable(h.actor)} ${h.action}${h.toStatus && h.toStatus !== h.fromStatus ? ` → ${h.toStatus}` : ''}${h.detail ? `: ${printable(h.detail)}` : ''}\n`,
      );
    return EXIT.ok;
  }
  const actor = o.by ?? io.env.USER ?? 'unknown';
  const base = { at: io.now(), actor };
  let update: AlertUpdate;
  switch (action) {
    case 'ack':
      update = {
        ...base,
        action: 'acknowledge',
        status: 'acknowledged',
        ...(o.comment ? { detail: o.comment } : {}),
      };
      break;
    case 'resolve': {
      const reason = oneOf(o.reason, '--reason', RESOLUTIONS);
      if (!reason)
        throw new UsageError(
          `resolve needs --reason (${RESOLUTIONS.join(', ')}), e.g. trailwatch alerts resolve ${id} --reason benign`,
        );
      update = {
        ...base,
        action: 'resolve',
        status: 'resolved',
        resolution: reason,
        detail: o.comment ? `${reason}: ${o.comment}` : reason,
      };
      break;
    }
    case 'reopen':
      update = { ...base, action: 'reopen', status: 'open', ...(o.comment ? { detail: o.comment } : {}) };
      break;
    case 'assign':
      if (!o.to)
        throw new UsageError(`assign needs --to NAME, e.g. trailwatch alerts assign ${id} --to alice`);
      update = { ...base, action: 'assign', assignee: o.to, detail: `assigned to ${o.to}` };
      break;
    case 'comment':
      if (!o.comment) throw new UsageError(`comment needs --comment TEXT`);
      update = { ...base, action: 'comment', detail: o.comment };
      break;
  }
  const changed = await store.changeAlert(alert.id, update);
  io.out(changed ? describe(changed) + '\n' : '');
  return EXIT.ok;
}
