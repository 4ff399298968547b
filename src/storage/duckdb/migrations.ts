// DuckDB schema, as numbered migrations applied in order; each runs once, inside a transaction.
import { TEXT_COLUMNS } from '../columns.js';
import { insertDetailsFrom, narrowFrom } from './alerts.js';
import { DERIVED_COLUMNS } from './columns.js';

/** Constraints a rewritten `events` table gets back (CREATE TABLE AS copies none). */
const EVENT_KEYS_NOT_NULL = ['event_id', 'recipient_account_id', 'event_time', 'object_id', 'record_index']
  .map((c) => `ALTER TABLE events ALTER COLUMN ${c} SET NOT NULL;`)
  .join('\n');

/** The values of these derived columns as a select list (a migration adds the columns it names). */
function derived(...names: string[]): string {
  return names
    .map((name) => {
      const value = DERIVED_COLUMNS.find(([c]) => c === name)?.[1];
      if (value === undefined) throw new Error(`no derived column ${name}`);
      return `${value} AS ${name}`;
    })
    .join(', ');
}

/**
 * `events` rewritten in its row order with derived columns added at its end, rather than updated,
 * so that each new column gets the compression its values suit (a dictionary, mostly).
 */
function withDerived(...names: string[]): string {
  return `
      CREATE TABLE events_derived AS SELECT *, ${derived(...names)} FROM events;
      DROP TABLE events;
      ALTER TABLE events_derived RENAME TO events;
      ${EVENT_KEYS_NOT_NULL}
    `;
}

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, source objects (checkpoints and content), quarantine',
    sql: `
      CREATE TABLE events (
        event_id VARCHAR NOT NULL,
        recipient_account_id VARCHAR NOT NULL,
        event_time TIMESTAMP NOT NULL,
        event_version VARCHAR,
        event_source VARCHAR,
        event_name VARCHAR,
        event_type VARCHAR,
        event_category VARCHAR,
        aws_region VARCHAR,
        source_ip VARCHAR,
        user_agent VARCHAR,
        error_code VARCHAR,
        error_message VARCHAR,
        read_only BOOLEAN,
        management_event BOOLEAN,
        request_id VARCHAR,
        shared_event_id VARCHAR,
        vpc_endpoint_id VARCHAR,
        actor_type VARCHAR,
        actor_arn VARCHAR,
        actor_account_id VARCHAR,
        actor_principal_id VARCHAR,
        actor_user_name VARCHAR,
        actor_access_key_id VARCHAR,
        actor_session_name VARCHAR,
        actor_issuer_type VARCHAR,
        actor_issuer_arn VARCHAR,
        actor_issuer_user_name VARCHAR,
        actor_issuer_account_id VARCHAR,
        actor_mfa BOOLEAN,
        actor_session_created VARCHAR,
        actor_source_identity VARCHAR,
        actor_invoked_by VARCHAR,
        actor_identity_provider VARCHAR,
        actor_on_behalf_of_user_id VARCHAR,
        actor_on_behalf_of_store_arn VARCHAR,
        actor_credential_id VARCHAR,
        resource_types VARCHAR[],
        resource_names VARCHAR[],
        resources VARCHAR,
        request_parameters VARCHAR,
        response_elements VARCHAR,
        additional_event_data VARCHAR,
        service_event_details VARCHAR,
        notes VARCHAR[],
        object_id VARCHAR NOT NULL,
        record_index INTEGER NOT NULL
      );
      CREATE TABLE objects (
        object_id VARCHAR PRIMARY KEY,
        identity VARCHAR NOT NULL,
        uri VARCHAR NOT NULL,
        size BIGINT NOT NULL,
        kind VARCHAR NOT NULL,
        records INTEGER NOT NULL,
        quarantined INTEGER NOT NULL,
        ingested_at TIMESTAMP NOT NULL,
        content BLOB NOT NULL
      );
      CREATE TABLE quarantine (
        object_id VARCHAR NOT NULL,
        record_index INTEGER,
        reason VARCHAR NOT NULL,
        detail VARCHAR NOT NULL,
        sample VARCHAR
      );
    `,
  },
  {
    version: 2,
    description: "actor scope fields; the credential ledger with each key's resolved origin",
    sql: `
      ALTER TABLE events ADD COLUMN actor_in_scope_of_type VARCHAR;
      ALTER TABLE events ADD COLUMN actor_in_scope_of_issued_to VARCHAR;
      ALTER TABLE events ADD COLUMN actor_ec2_role_delivery VARCHAR;
      ALTER TABLE events ADD COLUMN actor_assumed_root BOOLEAN;
      CREATE TABLE credentials (
        access_key_id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        issued_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP,
        event_id VARCHAR NOT NULL,
        recipient_account_id VARCHAR NOT NULL,
        shared_event_id VARCHAR,
        caller_type VARCHAR,
        caller_arn VARCHAR,
        caller_access_key_id VARCHAR,
        caller VARCHAR NOT NULL,
        target_arn VARCHAR,
        role_arn VARCHAR,
        target_account_id VARCHAR,
        session_name VARCHAR,
        source_identity VARCHAR,
        subject VARCHAR,
        provider VARCHAR,
        source_ip VARCHAR,
        origin_type VARCHAR NOT NULL,
        origin_id VARCHAR NOT NULL,
        origin_name VARCHAR NOT NULL,
        origin_account_id VARCHAR,
        resolved_by VARCHAR NOT NULL,
        confidence VARCHAR NOT NULL,
        pending_key VARCHAR,
        resolution VARCHAR NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'rule matches and the alerts evaluated from them',
    sql: `
      CREATE TABLE matches (
        rule_id VARCHAR NOT NULL,
        alert_key VARCHAR NOT NULL,
        event_id VARCHAR NOT NULL,
        recipient_account_id VARCHAR NOT NULL,
        event_time TIMESTAMP NOT NULL,
        group_key VARCHAR NOT NULL,
        value VARCHAR,
        step VARCHAR,
        title VARCHAR NOT NULL,
        severity VARCHAR NOT NULL,
        region VARCHAR,
        source_ip VARCHAR,
        actor_arn VARCHAR,
        origin VARCHAR NOT NULL,
        evaluated BOOLEAN NOT NULL
      );
      CREATE TABLE alerts (
        id VARCHAR PRIMARY KEY,
        rule_id VARCHAR NOT NULL,
        alert_key VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        severity VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        group_key VARCHAR NOT NULL,
        first_seen TIMESTAMP NOT NULL,
        last_seen TIMESTAMP NOT NULL,
        count INTEGER NOT NULL,
        event_ids VARCHAR NOT NULL,
        account VARCHAR NOT NULL,
        region VARCHAR,
        source_ip VARCHAR,
        actor_arn VARCHAR,
        origin VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: 'alert triage (assignee, resolution, history) and suppressions',
    sql: `
      ALTER TABLE alerts ADD COLUMN assignee VARCHAR;
      ALTER TABLE alerts ADD COLUMN resolution VARCHAR;
      ALTER TABLE alerts ADD COLUMN suppressed_by VARCHAR;
      CREATE TABLE alert_history (
        alert_id VARCHAR NOT NULL,
        changed_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        from_status VARCHAR,
        to_status VARCHAR,
        detail VARCHAR
      );
      CREATE TABLE suppressions (
        id VARCHAR PRIMARY KEY,
        rule_id VARCHAR,
        match VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        author VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP,
        removed_at TIMESTAMP
      );
    `,
  },
  {
    version: 5,
    description: 'the notification outbox',
    sql: `
      CREATE TABLE outbox (
        id VARCHAR PRIMARY KEY,
        alert_id VARCHAR NOT NULL,
        destination VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        payload VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at TIMESTAMP NOT NULL,
        last_error VARCHAR,
        created_at TIMESTAMP NOT NULL,
        delivered_at TIMESTAMP
      );
    `,
  },
  {
    version: 6,
    description: 'the lowercased search text of each event (free-text search scans one column)',
    sql: `
      ALTER TABLE events ADD COLUMN search_text VARCHAR;
      UPDATE events SET search_text = lower(concat_ws(chr(31), ${TEXT_COLUMNS.join(', ')}));
    `,
  },
  {
    version: 7,
    description:
      'pending alert keys in their own table (evaluation deletes a few rows, not updates every match)',
    sql: `
      CREATE TABLE pending_keys (
        rule_id VARCHAR NOT NULL,
        alert_key VARCHAR NOT NULL,
        from_time TIMESTAMP NOT NULL,
        to_time TIMESTAMP NOT NULL
      );
      INSERT INTO pending_keys
        SELECT rule_id, alert_key, min(event_time), max(event_time) FROM matches
        WHERE NOT evaluated GROUP BY rule_id, alert_key;
    `,
  },
  {
    version: 8,
    // Appends keep this order per batch (INSERT_NEW); stores written before were scattered within
    // each batch, so every row-group segment spanned weeks and time bounds skipped little.
    description: 'events rewritten in time order (newest-first searches skip older segments)',
    sql: `
      CREATE TABLE events_by_time AS SELECT * FROM events ORDER BY event_time;
      DROP TABLE events;
      ALTER TABLE events_by_time RENAME TO events;
      ${EVENT_KEYS_NOT_NULL}
    `,
  },
  {
    version: 9,
    // The table is rewritten (in its row order) rather than updated, so that each new column gets
    // the compression its values suit: the context's dictionary is what makes it cheap to search.
    description:
      'the search text split into three columns (context, hexadecimal ids, the rest); the user names in one',
    sql: `
      CREATE TABLE events_searched AS
        SELECT * EXCLUDE (search_text), ${derived('search_context', 'search_ids', 'search_rest', 'search_names')}
        FROM events;
      DROP TABLE events;
      ALTER TABLE events_searched RENAME TO events;
      ${EVENT_KEYS_NOT_NULL}
    `,
  },
  {
    version: 10,
    description: 'the actor in one column, for lists of events',
    sql: withDerived('list_actor'),
  },
  {
    version: 11,
    description: "the actor's names the origin filter compares, in one column",
    sql: withDerived('search_origin_names'),
  },
  {
    version: 12,
    // Row ids follow insertion order until DuckDB reclaims deleted rows; seq keeps it for good.
    // The index is filled when the store opens (text-index.ts), in steps rather than one statement.
    description: "each event's place in the order of appends; the free-text index over it",
    sql: `
      ALTER TABLE events ADD COLUMN seq BIGINT;
      UPDATE events SET seq = rowid;
      CREATE TABLE text_blocks (block BIGINT NOT NULL, terms VARCHAR NOT NULL);
    `,
  },
  {
    version: 13,
    // What most rows of a key repeat is kept once (alerts.ts): 1.35M rows at 1M had 14,021 details.
    // The unused `evaluated` column (pending keys have their own table since migration 7) goes.
    description: 'match rows without the details they repeat: those once each in match_details',
    sql: `
      CREATE TABLE match_details (
        detail_id UHUGEINT PRIMARY KEY,
        group_key VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        region VARCHAR,
        source_ip VARCHAR,
        actor_arn VARCHAR,
        origin VARCHAR NOT NULL
      );
      ${insertDetailsFrom('matches')};
      CREATE TABLE matches_narrow (
        rule_id VARCHAR NOT NULL,
        alert_key VARCHAR NOT NULL,
        event_id VARCHAR NOT NULL,
        recipient_account_id VARCHAR NOT NULL,
        event_time TIMESTAMP NOT NULL,
        value VARCHAR,
        step VARCHAR,
        severity VARCHAR NOT NULL,
        detail_id UHUGEINT NOT NULL
      );
      INSERT INTO matches_narrow ${narrowFrom('matches')} ORDER BY rowid;
      DROP TABLE matches;
      ALTER TABLE matches_narrow RENAME TO matches;
    `,
  },
  {
    version: 14,
    // The index is filled again when the store opens (text-index.ts), words and grams.
    description: "the free-text index's grams: each block's words summed up in a bit string",
    sql: `
      DROP TABLE text_blocks;
      CREATE TABLE text_blocks (block BIGINT NOT NULL, terms VARCHAR NOT NULL, grams BITSTRING NOT NULL);
    `,
  },
];
