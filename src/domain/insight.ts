// CloudTrail Insights events: what an Insight record says (state, API, type, baseline vs insight
// rates, attributions), read from its `insightDetails` block for search output and the explorer.
import { isJsonObject, type Json, type JsonObject } from './json.js';

export interface InsightValue {
  value: string;
  /** Calls (or errors) per minute. */
  average: number | null;
}

export interface InsightAttribution {
  /** `userIdentityArn`, `userAgent` or `errorCode`. */
  attribute: string;
  insight: InsightValue[];
  baseline: InsightValue[];
}

export interface InsightSummary {
  /** `Start` or `End`; the pair shares one sharedEventID. */
  state: string | null;
  eventSource: string | null;
  eventName: string | null;
  /** `ApiCallRateInsight` or `ApiErrorRateInsight`. */
  insightType: string | null;
  /** For error-rate insights, the error code the rate counts. */
  errorCode: string | null;
  /** Average per minute in the baseline period and during the insight. */
  baselineAverage: number | null;
  insightAverage: number | null;
  /** Minutes. */
  baselineDuration: number | null;
  insightDuration: number | null;
  attributions: InsightAttribution[];
}

const text = (v: Json | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: Json | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: Json | undefined): JsonObject => (isJsonObject(v) ? v : {});

function values(list: Json | undefined): InsightValue[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isJsonObject).map((v) => ({
    value: typeof v.value === 'string' ? v.value : JSON.stringify(v.value ?? null),
    average: num(v.average),
  }));
}

/** The Insight a record reports, or null when it is not an Insights event. */
export function insightOf(record: JsonObject | undefined): InsightSummary | null {
  if (!record || !isJsonObject(record.insightDetails)) return null;
  const d = record.insightDetails;
  const context = obj(d.insightContext);
  const stats = obj(context.statistics);
  const attributions = Array.isArray(context.attributions) ? context.attributions.filter(isJsonObject) : [];
  return {
    state: text(d.state),
    eventSource: text(d.eventSource),
    eventName: text(d.eventName),
    insightType: text(d.insightType),
    errorCode: text(d.errorCode),
    baselineAverage: num(obj(stats.baseline).average),
    insightAverage: num(obj(stats.insight).average),
    baselineDuration: num(stats.baselineDuration),
    insightDuration: num(stats.insightDuration),
    attributions: attributions.map((a) => ({
      attribute: text(a.attribute) ?? '?',
      insight: values(a.insight),
      baseline: values(a.baseline),
    })),
  };
}

const rate = (n: number | null): string => (n === null ? '?' : `${Math.round(n * 100) / 100}/min`);

/** One line that fits a table column: `ApiCallRateInsight Start 100/min (base 20/min)`. */
export function describeInsight(s: InsightSummary): string {
  const what = `${s.insightType ?? 'Insight'} ${s.state ?? ''}`.trim();
  const error = s.errorCode ? ` (${s.errorCode})` : '';
  return `${what}${error} ${rate(s.insightAverage)} (base ${rate(s.baselineAverage)})`;
}
