// ClickHouse schema as numbered migrations of table definitions. Every statement is idempotent
// (IF NOT EXISTS), so a migration interrupted half-way is simply run again.
//
// No transactions exist here: mutable state (ledger, alerts, marks, suppressions, outbox) lives in
// ReplacingMergeTree tables keyed by id with a `version` column, written as new versions and read
// with FINAL; events and matches are deduplicated by their sorting key, so a re-append is harmless.

export interface TableDef {
  name: string;
  columns: string;
  /** The MergeTree engine and its clauses. */
  engine: string;
  /** How rows spread over a cluster's shards: every version of one key must land on one shard. */
  shardBy: string;
}

export interface Migration {
  version: number;
  description: string;
  tables: TableDef[];
  /** Columns added to existing tables (with the table's Distributed twin on a cluster). */
  columns?: { table: string; name: string; type: string }[];
}

/** Rows carry epoch milliseconds; the DateTime that partitions and orders them derives from it. */
const TIME_FROM_MS = `event_time DateTime('UTC') DEFAULT toDateTime(intDiv(event_ms, 1000), 'UTC')`;

const EVENTS: TableDef = {
  name: 'events',
  columns: `
    event_id String, recipient_account_id String, event_ms Int64, ${TIME_FROM_MS},
    event_version Nullable(String), event_source Nullable(String), event_name Nullable(String),
    event_type Nullable(String), event_category Nullable(String), aws_region Nullable(String),
    source_ip Nullable(String), user_agent Nullable(String), error_code Nullable(String),
    error_message Nullable(String), read_only Nullable(UInt8), management_event Nullable(UInt8),
    request_id Nullable(String), shared_event_id Nullable(String), vpc_endpoint_id Nullable(String),
    actor_type Nullable(String), actor_arn Nullable(String), actor_account_id Nullable(String),
    actor_principal_id Nullable(String), actor_user_name Nullable(String),
    actor_access_key_id Nullable(String), actor_session_name Nullable(String),
    actor_issuer_type Nullable(String), actor_issuer_arn Nullable(String),
    actor_issuer_user_name Nullable(String), actor_issuer_account_id Nullable(String),
    actor_mfa Nullable(UInt8), actor_session_created Nullable(String),
    actor_source_identity Nullable(String), actor_invoked_by Nullable(String),
    actor_identity_provider Nullable(String), actor_on_behalf_of_user_id Nullable(String),
    actor_on_behalf_of_store_arn Nullable(String), actor_credential_id Nullable(String),
    actor_in_scope_of_type Nullable(String), actor_in_scope_of_issued_to Nullable(String),
    actor_ec2_role_delivery Nullable(String), actor_assumed_root Nullable(UInt8),
    resource_types Array(String), resource_names Array(String), resources Nullable(String),
    request_parameters Nullable(String), response_elements Nullable(String),
    additional_event_data Nullable(String), service_event_details Nullable(String),
    notes Array(String), object_id String, record_index Int32,
    issued_key Nullable(String), content_key String`,
  // Explorer queries always bound the time, then often the account; the key ends with the event's
  // identity so that two copies of one event collapse into one row.
  engine: `ReplacingMergeTree PARTITION BY toYYYYMM(event_time)
    ORDER BY (toStartOfHour(event_time), recipient_account_id, event_id)`,
  shardBy: 'cityHash64(recipient_account_id, event_id)',
};

const OBJECTS: TableDef = {
  name: 'objects',
  columns: `object_id String, identity String, uri String, size Int64, kind String, records Int32,
    quarantined Int32, ingested_ms Int64, content String`,
  engine: 'ReplacingMergeTree ORDER BY object_id',
  shardBy: 'cityHash64(object_id)',
};

const QUARANTINE: TableDef = {
  name: 'quarantine',
  columns: `object_id String, record_index Int64, reason String, detail String, sample Nullable(String)`,
  // record_index -1: the whole object.
  engine: 'ReplacingMergeTree ORDER BY (object_id, record_index, reason)',
  shardBy: 'cityHash64(object_id)',
};

const CREDENTIALS: TableDef = {
  name: 'credentials',
  columns: `access_key_id String, version UInt64, kind String, issued_ms Int64, expires_ms Nullable(Int64),
    event_id String, recipient_account_id String, shared_event_id Nullable(String),
    caller_type Nullable(String), caller_arn Nullable(String), caller_access_key_id Nullable(String),
    caller String, target_arn Nullable(String), role_arn Nullable(String),
    target_account_id Nullable(String), session_name Nullable(String),
    source_identity Nullable(String), subject Nullable(String), provider Nullable(String),
    source_ip Nullable(String), origin_type String, origin_id String, origin_name String,
    origin_account_id Nullable(String), resolved_by String, confidence String,
    pending_key Nullable(String), resolution String`,
  engine: 'ReplacingMergeTree(version) ORDER BY access_key_id',
  shardBy: 'cityHash64(access_key_id)',
};

const MATCHES: TableDef = {
  name: 'matches',
  columns: `rule_id String, alert_key String, event_id String, recipient_account_id String,
    event_ms Int64, ${TIME_FROM_MS}, group_key String, value Nullable(String),
    step String, has_step UInt8, title String, severity String, region Nullable(String),
    source_ip Nullable(String), actor_arn Nullable(String), origin String`,
  // A re-delivered event's match has the same key and collapses into the stored one. Not partitioned:
  // matches are read FINAL by alert key, and FINAL over many month partitions costs memory per part.
  engine: `ReplacingMergeTree ORDER BY (alert_key, rule_id, event_id, recipient_account_id, step, has_step)`,
  shardBy: 'cityHash64(alert_key)',
};

/**
 * How many matches of a key evaluation has seen, with the version taken before it read them; a key
 * is pending while it has another number of matches, or after a later reset (-1).
 */
const KEY_MARKS: TableDef = {
  name: 'key_marks',
  columns: `alert_key String, version UInt64, evaluated Int64`,
  engine: 'ReplacingMergeTree(version) ORDER BY alert_key',
  shardBy: 'cityHash64(alert_key)',
};

const ALERTS: TableDef = {
  name: 'alerts',
  columns: `id String, version UInt64, deleted UInt8, rule_id String, alert_key String, title String,
    severity String, status String, group_key String, first_ms Int64, last_ms Int64, count Int64,
    event_ids String, account String, region Nullable(String), source_ip Nullable(String),
    actor_arn Nullable(String), origin String, origin_id String, origin_name String,
    created_ms Int64, updated_ms Int64, assignee Nullable(String), resolution Nullable(String),
    suppressed_by Nullable(String)`,
  engine: 'ReplacingMergeTree(version) ORDER BY id',
  shardBy: 'cityHash64(id)',
};

const ALERT_HISTORY: TableDef = {
  name: 'alert_history',
  columns: `alert_id String, changed_ms Int64, seq UInt64, actor String, action String,
    from_status Nullable(String), to_status Nullable(String), detail Nullable(String)`,
  engine: 'MergeTree ORDER BY (alert_id, changed_ms, seq)',
  shardBy: 'cityHash64(alert_id)',
};

const SUPPRESSIONS: TableDef = {
  name: 'suppressions',
  columns: `id String, version UInt64, rule_id Nullable(String), match String, reason String,
    author String, created_ms Int64, expires_ms Nullable(Int64), removed_ms Nullable(Int64)`,
  engine: 'ReplacingMergeTree(version) ORDER BY id',
  shardBy: 'cityHash64(id)',
};

const OUTBOX: TableDef = {
  name: 'outbox',
  columns: `id String, version UInt64, alert_id String, destination String, kind String, payload String,
    status String, attempts Int32, next_ms Int64, last_error Nullable(String), created_ms Int64,
    delivered_ms Nullable(Int64)`,
  engine: 'ReplacingMergeTree(version) ORDER BY id',
  shardBy: 'cityHash64(id)',
};

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, objects, quarantine, ledger, matches, alerts, suppressions, outbox',
    tables: [
      EVENTS,
      OBJECTS,
      QUARANTINE,
      CREDENTIALS,
      MATCHES,
      KEY_MARKS,
      ALERTS,
      ALERT_HISTORY,
      SUPPRESSIONS,
      OUTBOX,
    ],
  },
  {
    version: 2,
    description: 'retracted matches (an event matched again after its attribution changed)',
    tables: [],
    // A retraction is the match row inserted again with deleted = 1: read FINAL, the last one wins.
    columns: [{ table: 'matches', name: 'deleted', type: 'UInt8 DEFAULT 0' }],
  },
];

/** The DDL of one table: a plain table, or for a cluster a local table plus a `Distributed` one. */
export function tableDdl(db: string, t: TableDef, cluster: string | null): string[] {
  if (!cluster) return [`CREATE TABLE IF NOT EXISTS ${db}.${t.name} (${t.columns}) ENGINE = ${t.engine}`];
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${t.name}_local (${t.columns}) ENGINE = ${t.engine}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${t.name} AS ${db}.${t.name}_local
       ENGINE = Distributed(${cluster}, ${db}, ${t.name}_local, ${t.shardBy})`,
  ];
}
