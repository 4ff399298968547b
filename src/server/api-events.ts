// GET /api/events and /api/events/{eventId}: search with attribution, and one event with its raw record.
import { eventToJson, eventToListJson } from '../domain/event-json.js';
import { attachIdentity } from '../pipeline/identity.js';
import { attachRaw } from '../pipeline/raw.js';
import type { RequestContext } from './context.js';
import { notFound } from './http-error.js';
import { cursorOf, eventQueryOf, listParam, oneOfParam } from './params.js';

export async function searchEvents({ store, query, now, policy }: RequestContext): Promise<unknown> {
  const q = eventQueryOf(query, now());
  // A list (the explorer's table) reads a fraction of each event's columns: see EventView.
  const view = oneOfParam(query, 'view', ['full', 'list'] as const) ?? 'full';
  const found = await store.searchEvents(q, view);
  const events = await attachIdentity(store, found, policy);
  // A full page may have more behind it; `next` continues after its last event (keyset, no offset).
  const last = found.at(-1);
  const next = last && found.length === q.limit ? cursorOf(last) : null;
  return { events: events.map(view === 'list' ? eventToListJson : eventToJson), count: events.length, next };
}

export async function getEvent({ store, query, params, policy }: RequestContext): Promise<unknown> {
  const eventId = params.eventId ?? '';
  const accounts = listParam(query, 'account');
  const found = await store.searchEvents({
    eventIds: [eventId],
    ...(accounts ? { accounts } : {}),
    limit: 2,
  });
  const [event] = await attachIdentity(store, await attachRaw(store, found.slice(0, 1)), policy);
  if (!event)
    throw notFound(`no event with id ${eventId}${accounts ? ` in account ${accounts.join(', ')}` : ''}`);
  // The same event id can exist in two accounts; the caller disambiguates with ?account=.
  return { event: eventToJson(event), ambiguous: found.length > 1 };
}
