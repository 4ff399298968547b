// Column names both SQL adapters share: what free text searches, and the column of each facet.
import type { EventQuery, FacetField } from './port.js';

/**
 * Free-text search looks in every text column and JSON block of an event, grouped by what their
 * values are like (the DuckDB store keeps one search column per group: duckdb/columns.ts):
 * the call's context, with few distinct values; ids; and the rest.
 */
export const TEXT_COLUMN_GROUPS = {
  context: [
    'event_source',
    'event_name',
    'aws_region',
    'source_ip',
    'user_agent',
    'error_code',
    'error_message',
    'actor_arn',
    'actor_principal_id',
    'actor_user_name',
    'actor_issuer_arn',
    'actor_source_identity',
    'actor_invoked_by',
  ],
  ids: ['event_id', 'request_id'],
  rest: [
    'actor_access_key_id',
    'resources',
    'request_parameters',
    'response_elements',
    'additional_event_data',
    'service_event_details',
  ],
} as const;

/**
 * The actor's columns (in ClickHouse's table order). DuckDB stores their values in this order in
 * `list_actor`: a change to this list needs a DuckDB migration that recomputes that column.
 */
export const ACTOR_COLUMNS = [
  'actor_type',
  'actor_arn',
  'actor_account_id',
  'actor_principal_id',
  'actor_user_name',
  'actor_access_key_id',
  'actor_session_name',
  'actor_issuer_type',
  'actor_issuer_arn',
  'actor_issuer_user_name',
  'actor_issuer_account_id',
  'actor_mfa',
  'actor_session_created',
  'actor_source_identity',
  'actor_invoked_by',
  'actor_identity_provider',
  'actor_on_behalf_of_user_id',
  'actor_on_behalf_of_store_arn',
  'actor_credential_id',
  'actor_in_scope_of_type',
  'actor_in_scope_of_issued_to',
  'actor_ec2_role_delivery',
  'actor_assumed_root',
] as const;

export const TEXT_COLUMNS: readonly string[] = Object.values(TEXT_COLUMN_GROUPS).flat();

export const FACET_COLUMNS: Record<FacetField, string> = {
  eventSource: 'event_source',
  eventName: 'event_name',
  sourceIpAddress: 'source_ip',
  recipientAccountId: 'recipient_account_id',
  awsRegion: 'aws_region',
  errorCode: 'error_code',
  accessKeyId: 'actor_access_key_id',
  userAgent: 'user_agent',
  identityType: 'actor_type',
  eventCategory: 'event_category',
};

/** Long-term identity types: an event of one of them is its own origin. */
export const LONG_TERM_TYPES = [
  'IAMUser',
  'Root',
  'SAMLUser',
  'WebIdentityUser',
  'IdentityCenterUser',
  'AWSService',
];

/** EventQuery's plain "any of" filters: the column each compares, and whether case is ignored. */
export const LOOKUP_FILTERS: readonly (readonly [keyof EventQuery, string, boolean])[] = [
  ['eventIds', 'event_id', false],
  ['eventNames', 'event_name', true],
  ['eventSources', 'event_source', true],
  ['accessKeyIds', 'actor_access_key_id', false],
  ['requestIds', 'request_id', false],
  ['sharedEventIds', 'shared_event_id', false],
  ['accounts', 'recipient_account_id', false],
  ['regions', 'aws_region', false],
  ['sourceIps', 'source_ip', false],
  ['errorCodes', 'error_code', true],
  ['identityTypes', 'actor_type', true],
  ['eventCategories', 'event_category', true],
];

/** The values of one lookup filter of a query. */
export function lookupValues(q: EventQuery, key: keyof EventQuery): string[] | undefined {
  const v = q[key];
  return Array.isArray(v) ? v : undefined;
}

/** The query without its page cursor: every row its filters select. */
export function withoutCursor(q: EventQuery): EventQuery {
  const all = { ...q };
  delete all.before;
  return all;
}
