// GET /api/who and /api/rules: identity profiles and the loaded rules' metadata.
import { whoIs } from '../pipeline/who.js';
import type { RequestContext } from './context.js';
import { badRequest } from './http-error.js';

export async function getWho({ store, query }: RequestContext): Promise<unknown> {
  const term = query.get('q')?.trim();
  if (!term) throw badRequest('who needs q: an access key id, ARN, user name or session name, e.g. ?q=alice');
  const profiles = await whoIs(store, term);
  return { profiles, count: profiles.length };
}

export function getRules({ rules }: RequestContext): Promise<unknown> {
  const list = rules.map((r) => ({
    id: r.meta.id,
    title: r.meta.title,
    severity: r.meta.severity,
    status: r.meta.status,
    tactics: r.meta.tactics,
    techniques: r.meta.techniques,
    type: r.type,
  }));
  return Promise.resolve({ rules: list, count: list.length });
}
