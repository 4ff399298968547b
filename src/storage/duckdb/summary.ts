// The explorer's counts in one statement: totals and every facet's top values from one scan.
import type { DuckDBValue } from '@duckdb/node-api';
import type { EventQuery, EventSummary, FacetField } from '../port.js';
import { FACET_COLUMNS } from '../columns.js';
import { buildWhere } from './search.js';

/**
 * Totals and the top `top` values of each facet as one GROUP BY GROUPING SETS: the filter is
 * evaluated once, where a query per facet evaluated it once per facet — free text read the stored
 * search text nine times for the explorer's eight facets (docs/performance.md).
 */
export function buildSummary(
  q: EventQuery,
  facets: readonly FacetField[],
  top: number,
): { sql: string; params: DuckDBValue[]; fields: FacetField[] } {
  const { where, params } = buildWhere(q);
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
