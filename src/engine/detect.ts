// Detection over a batch: attribute each event, build its match view, and match it against the index.
import type { MatchRow } from '../domain/alert.js';
import type { CloudTrailEvent } from '../domain/event.js';
import type { StoredCredential } from '../domain/identity.js';
import type { JsonObject } from '../domain/json.js';
import { resolutionOf } from '../identity/enrich.js';
import { checkSessionName, type SessionNamePolicy } from '../identity/session-name.js';
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
  const rows: MatchRow[] = [];
  // One event at a time, without copies: detection runs on every stored event.
  for (const { event, raw } of items) {
    const resolution = resolutionOf(event, ledger);
    const view = buildView(raw, event, resolution, checkSessionName(event, resolution, policy));
    matchEvent(index, view, event, resolution.origin, rows);
  }
  return rows;
}
