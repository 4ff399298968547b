// Detection over a batch: attribute each event, build its match view, and match it against the index.
import type { MatchRow } from '../domain/alert.js';
import type { CloudTrailEvent } from '../domain/event.js';
import type { StoredCredential } from '../domain/identity.js';
import type { JsonObject } from '../domain/json.js';
import { enrichWithLedger } from '../identity/enrich.js';
import type { SessionNamePolicy } from '../identity/session-name.js';
import { matchEvent, type RuleIndex } from './match.js';
import { buildView } from './view.js';

export interface DetectItem {
  event: CloudTrailEvent;
  raw: JsonObject;
}

export function detect(
  index: RuleIndex,
  items: readonly DetectItem[],
  ledger: ReadonlyMap<string, StoredCredential>,
  policy?: SessionNamePolicy,
): MatchRow[] {
  if (!index.rules.length) return [];
  const enriched = enrichWithLedger(
    items.map((i) => i.event),
    ledger,
    policy,
  );
  const rows: MatchRow[] = [];
  enriched.forEach((e, i) => {
    const raw = (items[i] as DetectItem).raw;
    const view = buildView(raw, e, e.resolution, e.sessionNameCheck);
    for (const row of matchEvent(index, view, e, e.resolution.origin)) rows.push(row);
  });
  return rows;
}
