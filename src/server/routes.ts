// The API's route table; the OpenAPI document and its test are checked against the same paths.
import { changeAlert, exportAlerts, getAlert, getAlerts } from './api-alerts.js';
import { getEvent, searchEvents } from './api-events.js';
import { exportEvents, getFacets, getHistogram } from './api-explore.js';
import { getRules, getWho } from './api-identity.js';
import { getOverview } from './api-overview.js';
import { addSuppression, getSuppressions } from './api-suppressions.js';
import type { Route } from './context.js';
import { badRequest } from './http-error.js';
import { openApiDocument } from './openapi.js';
import { TRIAGE_ACTIONS } from './triage.js';

export const ROUTES: Route[] = [
  { method: 'GET', path: '/api/overview', handler: getOverview },
  { method: 'GET', path: '/api/events', handler: searchEvents },
  // Before /api/events/{eventId}, which would otherwise take these names as event ids.
  { method: 'GET', path: '/api/events/facets', handler: getFacets },
  { method: 'GET', path: '/api/events/histogram', handler: getHistogram },
  { method: 'GET', path: '/api/events/export', handler: exportEvents },
  { method: 'GET', path: '/api/events/{eventId}', handler: getEvent },
  { method: 'GET', path: '/api/alerts', handler: getAlerts },
  // Before /api/alerts/{id}, which would otherwise take 'export' as an alert id.
  { method: 'GET', path: '/api/alerts/export', handler: exportAlerts },
  { method: 'GET', path: '/api/alerts/{id}', handler: getAlert },
  ...TRIAGE_ACTIONS.map((action): Route => ({
    method: 'POST',
    path: `/api/alerts/{id}/${action}`,
    handler: changeAlert(action),
  })),
  { method: 'GET', path: '/api/who', handler: getWho },
  { method: 'GET', path: '/api/rules', handler: getRules },
  { method: 'GET', path: '/api/suppressions', handler: getSuppressions },
  { method: 'POST', path: '/api/suppressions', handler: addSuppression },
  { method: 'GET', path: '/api/openapi.json', handler: () => Promise.resolve(openApiDocument()) },
];

const compiled = ROUTES.map((r) => ({
  route: r,
  pattern: new RegExp(`^${r.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
}));

/** The route for a path: found, path known but not with this method, or unknown. */
export function matchRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | 'method-not-allowed' | null {
  let pathKnown = false;
  for (const { route, pattern } of compiled) {
    const m = pattern.exec(pathname);
    if (!m) continue;
    pathKnown = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) {
      try {
        params[k] = decodeURIComponent(v);
      } catch {
        throw badRequest(`${k}: malformed percent-encoding in ${pathname}`);
      }
    }
    return { route, params };
  }
  return pathKnown ? 'method-not-allowed' : null;
}
