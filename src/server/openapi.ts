// The hand-written OpenAPI 3.1 description of /api; a test checks it lists every route the server serves.
import { RESOLUTIONS } from '../domain/alert.js';
import { SEVERITIES } from '../domain/rule.js';

const str = { type: 'string' };
const q = (name: string, description: string, schema: object = str) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const p = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: str,
});
const ok = (description: string, properties: Record<string, object>) => ({
  '200': {
    description,
    content: { 'application/json': { schema: { type: 'object', properties } } },
  },
  default: { $ref: '#/components/responses/Error' },
});
const arr = { type: 'array', items: { type: 'object' } };
const alertId = p('id', 'Alert id (a unique prefix works)');

const triage = (action: string, summary: string) => ({
  post: {
    summary,
    operationId: `${action}Alert`,
    parameters: [alertId],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/TriageBody' } } },
    },
    responses: ok('The changed alert', { alert: { type: 'object' } }),
  },
});

const EVENT_FILTERS = [
  q('eventId', 'Event ids (eventID), exact'),
  q('eventName', 'Event names, comma-separated, any of'),
  q('eventSource', 'Event sources, e.g. iam.amazonaws.com'),
  q('user', 'User name, role session name or role name'),
  q('accessKeyId', 'Access key ids'),
  q('requestId', 'CloudTrail requestIDs, exact (the events of one request)'),
  q('sharedEventId', 'sharedEventIDs, exact (the copies of one cross-account event)'),
  q('account', 'Recipient account ids'),
  q('region', 'AWS regions'),
  q('sourceIp', 'Source IP addresses'),
  q('errorCode', 'Error codes'),
  q('outcome', 'success (no error code) or failure', { enum: ['success', 'failure'] }),
  q('eventCategory', 'Event categories: Management, Data, Insight, NetworkActivity'),
  q('identityType', 'userIdentity types: IAMUser, AssumedRole, Root, AWSService, …'),
  q('readOnly', 'true: read-only calls only; false: calls that may change something', {
    enum: ['true', 'false'],
  }),
  q('resourceType', 'Types of the resources the record names, e.g. AWS::S3::Object'),
  q(
    'resourceName',
    "Resources the record names, by ARN or by name (an ARN's last part, as CloudTrail's event history matches)",
  ),
  q('origin', 'Resolved origin identity: ARN or name'),
  q('since', 'Start time: ISO 8601 or a duration back from now (2h, 7d)'),
  q('until', 'End time: ISO 8601 or a duration back from now'),
  q('text', 'Case-insensitive text anywhere in the record'),
  q('limit', 'At most this many events (default 100)', { type: 'integer', minimum: 1, maximum: 1000 }),
];

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Trailwatch API',
      version: '0.1.0',
      description:
        "Read CloudTrail events, alerts and identities from a Trailwatch store, and triage alerts. When the server has a token, every request needs `Authorization: Bearer <token>`. POST requests need `Content-Type: application/json` and, if an Origin header is sent, the server's own origin.",
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: str } },
        TriageBody: {
          type: 'object',
          properties: {
            reason: { enum: [...RESOLUTIONS], description: 'Required by resolve' },
            comment: { type: 'string', description: 'Required by comment; optional otherwise' },
            to: { type: 'string', description: 'Required by assign' },
            by: { type: 'string', description: 'Who acts (default "web")' },
          },
        },
        SuppressionBody: {
          type: 'object',
          required: ['reason', 'match'],
          properties: {
            ruleId: { type: ['string', 'null'], description: 'The rule; null for any rule' },
            match: {
              type: 'object',
              description: 'Alert fields to values, e.g. {"account":"111122223333","actor.arn":"arn:…"}',
              additionalProperties: { type: 'string' },
            },
            reason: { type: 'string', description: 'Why (required)' },
            expiresDays: { type: 'number', minimum: 1, maximum: 3650, description: 'Default: never' },
            by: { type: 'string', description: 'Who adds it (default "web")' },
          },
        },
      },
      responses: {
        Error: {
          description:
            '400 bad input, 401 missing token, 403 cross-origin, 404 unknown, 415 not JSON, 500 bug',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
    security: [{ bearer: [] }, {}],
    paths: {
      '/api/overview': {
        get: {
          summary: 'Store statistics, alert counts and top values',
          operationId: 'getOverview',
          parameters: [q('since', 'Window start for the top values (default 24h before the newest event)')],
          responses: ok('Overview', {
            stats: { type: 'object' },
            since: str,
            window: { type: 'object' },
            alerts: { type: 'object' },
            topOrigins: arr,
            topEventNames: arr,
            topEventSources: arr,
            topSourceIps: arr,
            accounts: arr,
            regions: arr,
            errorCodes: arr,
            freshness: {
              type: 'array',
              description:
                'Per recipient account: newest event, last ingest of its events, and the lag between',
              items: {
                type: 'object',
                properties: {
                  account: str,
                  newestEvent: { type: 'string', format: 'date-time' },
                  lastIngest: { type: 'string', format: 'date-time' },
                  lagMs: { type: 'integer', description: 'lastIngest − newestEvent in milliseconds' },
                },
              },
            },
          }),
        },
      },
      '/api/events': {
        get: {
          summary: 'Search events, newest first, with attribution (actor.origin, actor.chain)',
          operationId: 'searchEvents',
          parameters: [
            ...EVENT_FILTERS,
            q(
              'before',
              'Cursor from a previous page\'s "next": only events older than its last one (<epochMs>:<account>:<eventId>)',
            ),
            q(
              'view',
              'full (default): every field of each event. list: what a table of events shows, read faster — eventId, recipientAccountId, eventTime, eventSource, eventName, eventType, eventCategory, awsRegion, sourceIpAddress, errorCode, readOnly, the actor with its attribution, sessionNameCheck, and resource (the ARN or name of the resource the call is about, or null); GET /api/events/{eventId} gives the whole event',
              { type: 'string', enum: ['full', 'list'] },
            ),
          ],
          responses: ok('Matching events', {
            events: arr,
            count: { type: 'integer' },
            next: {
              type: ['string', 'null'],
              description: 'Cursor for the next page (pass as before=); null when this page was not full',
            },
          }),
        },
      },
      '/api/events/facets': {
        get: {
          summary: 'Counts of the top values of the events a search matches (its limit is ignored)',
          operationId: 'eventFacets',
          parameters: [
            ...EVENT_FILTERS.filter((f) => f.name !== 'limit'),
            q('top', 'Values per facet (default 10)', { type: 'integer', minimum: 1, maximum: 100 }),
          ],
          responses: ok(
            'Facets: eventName, eventSource, identityType, eventCategory, recipientAccountId, awsRegion, sourceIpAddress, errorCode; each a list of {value, count}',
            { count: { type: 'integer' }, errors: { type: 'integer' }, facets: { type: 'object' } },
          ),
        },
      },
      '/api/events/histogram': {
        get: {
          summary: 'Successful and failed events a search matches, in equal time buckets',
          operationId: 'eventHistogram',
          parameters: [
            ...EVENT_FILTERS.filter((f) => f.name !== 'limit'),
            q('buckets', 'Number of buckets (default 60)', { type: 'integer', minimum: 1, maximum: 200 }),
          ],
          responses: ok(
            'Buckets of bucketMs milliseconds from start (the since filter, else the first matching event)',
            {
              count: { type: 'integer' },
              start: { type: ['string', 'null'] },
              end: { type: ['string', 'null'] },
              bucketMs: { type: 'integer' },
              buckets: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { start: str, success: { type: 'integer' }, failure: { type: 'integer' } },
                },
              },
            },
          ),
        },
      },
      '/api/events/export': {
        get: {
          summary: 'Download the events a search matches as CSV, JSON lines or OCSF JSON lines, newest first',
          operationId: 'exportEvents',
          parameters: [
            ...EVENT_FILTERS.filter((f) => f.name !== 'limit'),
            q(
              'format',
              'csv (default; cells that start a formula get a leading apostrophe), jsonl, or ocsf (one OCSF 1.1 object per line: API Activity 6003, Authentication 3002, Account Change 3001)',
              { enum: ['csv', 'jsonl', 'ocsf'] },
            ),
            q('limit', 'At most this many events (default 10000)', {
              type: 'integer',
              minimum: 1,
              maximum: 100000,
            }),
          ],
          responses: {
            '200': {
              description: 'An attachment (Content-Disposition)',
              content: {
                'text/csv': { schema: str },
                'application/x-ndjson': { schema: str },
              },
            },
            default: { $ref: '#/components/responses/Error' },
          },
        },
      },
      '/api/events/{eventId}': {
        get: {
          summary:
            'One event with its raw record and attribution; an Insights event also has insight (state, insightType, baseline and insight averages, attributions)',
          operationId: 'getEvent',
          parameters: [p('eventId', 'CloudTrail eventID'), q('account', 'Recipient account id')],
          responses: ok('The event', { event: { type: 'object' }, ambiguous: { type: 'boolean' } }),
        },
      },
      '/api/alerts': {
        get: {
          summary: 'List alerts',
          operationId: 'listAlerts',
          parameters: [
            q('status', 'Statuses, comma-separated (default open,acknowledged,resolved)'),
            q('minSeverity', 'Lowest severity', { enum: [...SEVERITIES] }),
            q('rule', 'Rule ids'),
            q('limit', 'At most this many (default 100)', { type: 'integer', minimum: 1, maximum: 1000 }),
          ],
          responses: ok('Alerts', { alerts: arr, count: { type: 'integer' } }),
        },
      },
      '/api/alerts/export': {
        get: {
          summary: 'Download the alerts a listing matches as JSON lines or OCSF Detection Findings (2004)',
          operationId: 'exportAlerts',
          parameters: [
            q(
              'format',
              'jsonl (default; as GET /api/alerts lists them) or ocsf (one OCSF 1.1 Detection Finding per line)',
              {
                enum: ['jsonl', 'ocsf'],
              },
            ),
            q('status', 'Statuses, comma-separated (default open,acknowledged,resolved)'),
            q('minSeverity', 'Lowest severity', { enum: [...SEVERITIES] }),
            q('rule', 'Rule ids'),
            q('limit', 'At most this many (default 100)', { type: 'integer', minimum: 1, maximum: 1000 }),
          ],
          responses: {
            '200': {
              description: 'An attachment (Content-Disposition)',
              content: { 'application/x-ndjson': { schema: str } },
            },
          },
        },
      },
      '/api/alerts/{id}': {
        get: {
          summary: 'One alert, its history and its first events',
          operationId: 'getAlert',
          parameters: [alertId],
          responses: ok('The alert', { alert: { type: 'object' }, history: arr, events: arr }),
        },
      },
      '/api/alerts/{id}/ack': triage('ack', 'Acknowledge an alert'),
      '/api/alerts/{id}/resolve': triage('resolve', 'Resolve an alert (reason required)'),
      '/api/alerts/{id}/reopen': triage('reopen', 'Reopen an alert'),
      '/api/alerts/{id}/assign': triage('assign', 'Assign an alert (to required)'),
      '/api/alerts/{id}/comment': triage('comment', 'Comment on an alert (comment required)'),
      '/api/who': {
        get: {
          summary: 'Who is behind an access key, ARN, user or session name',
          operationId: 'who',
          parameters: [{ ...q('q', 'Access key id, ARN, user name or session name'), required: true }],
          responses: ok(
            'Identity profiles (times in epoch milliseconds); each profile has alerts: up to 100 alerts of ' +
              'any status whose origin is the profile origin, in the /api/alerts list shape',
            {
              profiles: arr,
              count: { type: 'integer' },
            },
          ),
        },
      },
      '/api/rules': {
        get: {
          summary: 'Metadata of the loaded rules',
          operationId: 'listRules',
          responses: ok(
            'Rules, each with alerts7d: its alerts (any status) seen in the 7 days before the newest event, ' +
              'and enabled: true when its status is stable or test (the statuses run by default)',
            { rules: arr, count: { type: 'integer' }, alertsSince: str },
          ),
        },
      },
      '/api/suppressions': {
        get: {
          summary: 'List suppressions (expired ones included)',
          operationId: 'listSuppressions',
          responses: ok('Suppressions', { suppressions: arr, count: { type: 'integer' } }),
        },
        post: {
          summary:
            'Add a suppression: alerts of the rule matching every match value are suppressed. `applied`: the open ones it covers were suppressed before the answer (serve alone); false beside --watch, whose next evaluation does it',
          operationId: 'addSuppression',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/SuppressionBody' } },
            },
          },
          responses: ok('The new suppression (id sup-<8 hex>)', {
            suppression: { type: 'object' },
            applied: { type: 'boolean' },
          }),
        },
      },
      '/api/openapi.json': {
        get: {
          summary: 'This document',
          operationId: 'openapi',
          responses: ok('OpenAPI 3.1 document', {}),
        },
      },
    },
  };
}
