// Detection over records held in memory (rule tests, corpus checks): normalize, attribute, match, evaluate.
import type { Alert, MatchRow } from '../domain/alert.js';
import type { JsonObject } from '../domain/json.js';
import type { CompiledRule } from '../domain/rule.js';
import { planLedger } from '../identity/ledger.js';
import { createMemoryLedger } from '../identity/memory-ledger.js';
import { groupBy } from '../domain/group.js';
import { canonicalKeys } from '../parse/canonical-keys.js';
import { normalizeRecord } from '../parse/normalize.js';
import { detect, type DetectItem } from './detect.js';
import { evaluateKey } from './evaluate.js';
import { buildIndex } from './match.js';

export interface MemoryDetection {
  alerts: Alert[];
  matches: MatchRow[];
  /** Records that did not normalize, by position, with the reason. */
  rejected: { index: number; detail: string }[];
}

export async function detectInMemory(
  rules: readonly CompiledRule[],
  records: readonly JsonObject[],
): Promise<MemoryDetection> {
  const items: DetectItem[] = [];
  const rejected: MemoryDetection['rejected'] = [];
  records.forEach((raw, index) => {
    const n = normalizeRecord(raw, { objectId: 'memory', index, keyAccount: null });
    // Match views use CloudTrail's key spelling, as ingest does (records from SQL exports are lowercased).
    if (n.ok) items.push({ event: n.event, raw: canonicalKeys(raw) });
    else rejected.push({ index, detail: n.detail });
  });
  const plan = await planLedger(
    items.map((i) => i.event),
    createMemoryLedger(),
  );
  const matches = detect(buildIndex(rules), items, plan.view);
  const byKey = groupBy(matches, (m) => `${m.ruleId}\u0000${m.alertKey}`);
  const rulesById = new Map(rules.map((r) => [r.meta.id, r]));
  const dataStart = items.length ? Math.min(...items.map((i) => i.event.eventTime)) : null;
  const alerts: Alert[] = [];
  for (const rows of byKey.values()) {
    const rule = rulesById.get((rows[0] as MatchRow).ruleId);
    if (rule) alerts.push(...evaluateKey(rule, rows, { dataStart }));
  }
  return { alerts, matches, rejected };
}
