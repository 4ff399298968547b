// The explorer's counts in one statement each: totals with every facet's top values, and the time chart.
import type { DuckDBValue } from '@duckdb/node-api';
import type { EventQuery, EventSummary, FacetField, Timeline } from '../port.js';
import { FACET_COLUMNS } from '../columns.js';
import { fillBuckets } from '../histogram.js';
import { buildWhere, type HitsRef } from './search.js';

/**
 * Totals and the top `top` values of each facet as one GROUP BY GROUPING SETS: the filter is
 * evaluated once, where a query per facet evaluated it once per facet — free text read the stored
 * search text nine times for the explorer's eight facets (docs/performance.md).
 */
export function buildSummary(
  q: EventQuery,
  facets: readonly FacetField[],
  top: number,
  hits?: HitsRef,
): { sql: string; params: DuckDBValue[]; fields: FacetField[] } {
  const { where, params } = buildWhere(q, hits);
  const fields = [...new Set(facets)];
  const totals = `count(*) AS n, count(error_code) AS errors,
    epoch_ms(min(event_time)) AS first, epoch_ms(max(event_time)) AS last`;
  if (!fields.length) return { sql: `SELECT ${totals} FROM events${where}`, params, fields };
  const cols = fields.map((f) => FACET_COLUMNS[f]);
  const list = cols.join(', ');
  // grouping(c1, …, cn) has bit n-1-i set when ci is not grouped: the grand total has every bit.
  const all = 2 ** cols.length - 1;
  const sql = `SELECT grouping(${list}) AS g, ${cols.map((c, i) => `${c} AS f${i}`).join(', ')}, ${totals}
    FROM events${where}
    GROUP BY GROUPING SETS (${cols.map((c) => `(${c})`).join(', ')}, ())
    QUALIFY g = ${all}
      OR row_number() OVER (PARTITION BY g ORDER BY count(*) DESC, coalesce(${list}) NULLS LAST) <= ${Math.floor(top)}
    ORDER BY g, n DESC, coalesce(${list}) NULLS LAST`;
  return { sql, params, fields };
}

/** The summary from the rows of `buildSummary`, in their order. */
export function readSummary(rows: Record<string, unknown>[], fields: readonly FacetField[]): EventSummary {
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  const all = 2 ** fields.length - 1;
  const total = rows.find((r) => !fields.length || Number(r.g) === all) ?? {};
  const summary: EventSummary = {
    count: Number(total.n ?? 0),
    firstSeen: num(total.first),
    lastSeen: num(total.last),
    errors: Number(total.errors ?? 0),
    facets: {},
  };
  fields.forEach((field, i) => {
    const bit = 2 ** (fields.length - 1 - i);
    summary.facets[field] = rows
      .filter((r) => Number(r.g) === all - bit)
      .map((r) => ({
        value: typeof r[`f${i}`] === 'string' ? (r[`f${i}`] as string) : null,
        count: Number(r.n),
      }));
  });
  return summary;
}

/**
 * The timeline in one statement: the matching events' times are read once (a materialized CTE),
 * and both the span and the buckets are computed from them — where the span query and the
 * histogram query each evaluated the filter. `buckets` is at least 1.
 */
export function buildTimeline(
  q: EventQuery,
  buckets: number,
  hits?: HitsRef,
): { sql: string; params: DuckDBValue[] } {
  const { where, params } = buildWhere(q, hits);
  const n = Math.max(1, Math.floor(buckets));
  const bound = (v: number | undefined): string => (v === undefined ? 'NULL' : `${Math.floor(v)}::BIGINT`);
  const sql = `WITH hits AS MATERIALIZED (
      SELECT epoch_ms(event_time) AS t, error_code IS NOT NULL AS failed FROM events${where}),
    span AS (SELECT count(*) AS n, coalesce(${bound(q.since)}, min(t)) AS lo,
                    coalesce(${bound(q.until)}, max(t)) AS hi FROM hits),
    size AS (SELECT n, lo, hi, greatest(1, ceil((hi - lo + 1) / ${n}))::BIGINT AS step FROM span)
    SELECT size.n, size.lo, size.hi, size.step, (hits.t - size.lo) // size.step AS b,
           count(hits.t) AS c, count(*) FILTER (WHERE hits.failed) AS e
    FROM size LEFT JOIN hits ON hits.t BETWEEN size.lo AND size.lo + size.step * ${n} - 1
    GROUP BY ALL`;
  return { sql, params };
}

/** The timeline from the rows of `buildTimeline`: every bucket, empty ones zero. */
export function readTimeline(rows: Record<string, unknown>[], buckets: number): Timeline {
  const head = rows[0];
  const count = Number(head?.n ?? 0);
  if (!head || count === 0 || head.lo === null || head.hi === null)
    return { count: 0, start: null, end: null, bucketMs: 0, buckets: [] };
  const start = Number(head.lo);
  const bucketMs = Number(head.step);
  const counted = rows.flatMap((r) =>
    r.b === null || r.b === undefined
      ? []
      : [{ bucket: Number(r.b), count: Number(r.c), errors: Number(r.e) }],
  );
  const out = fillBuckets(start, bucketMs, Math.max(1, Math.floor(buckets)), counted);
  return { count, start, end: Number(head.hi), bucketMs, buckets: out };
}
