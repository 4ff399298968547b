// Plans a triage change from an API request, with the semantics of `trailwatch alerts ack|resolve|…`.
import { RESOLUTIONS } from '../domain/alert.js';
import type { AlertUpdate } from '../storage/port.js';
import { badRequest } from './http-error.js';

export const TRIAGE_ACTIONS = ['ack', 'resolve', 'reopen', 'assign', 'comment'] as const;
export type TriageAction = (typeof TRIAGE_ACTIONS)[number];

const text = (body: Record<string, unknown>, name: string): string | undefined => {
  const v = body[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`${name}: expected a string, found ${typeof v}`);
  return v;
};

export function planTriage(action: TriageAction, body: Record<string, unknown>, at: number): AlertUpdate {
  const comment = text(body, 'comment');
  const base = { at, actor: text(body, 'by') ?? 'web' };
  const detail = comment ? { detail: comment } : {};
  switch (action) {
    case 'ack':
      return { ...base, action: 'acknowledge', status: 'acknowledged', ...detail };
    case 'resolve': {
      const reason = text(body, 'reason');
      if (!reason || !(RESOLUTIONS as readonly string[]).includes(reason))
        throw badRequest(
          `resolve needs a reason, one of ${RESOLUTIONS.join(', ')}${reason ? ` (found ${JSON.stringify(reason)})` : ''}; e.g. {"reason":"benign","comment":"known job"}`,
        );
      return {
        ...base,
        action: 'resolve',
        status: 'resolved',
        resolution: reason,
        detail: comment ? `${reason}: ${comment}` : reason,
      };
    }
    case 'reopen':
      return { ...base, action: 'reopen', status: 'open', ...detail };
    case 'assign': {
      const to = text(body, 'to');
      if (!to) throw badRequest('assign needs "to", e.g. {"to":"alice"}');
      return { ...base, action: 'assign', assignee: to, detail: `assigned to ${to}` };
    }
    case 'comment':
      if (!comment) throw badRequest('comment needs "comment", e.g. {"comment":"looking into it"}');
      return { ...base, action: 'comment', detail: comment };
  }
}
