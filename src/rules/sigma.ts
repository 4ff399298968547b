// Reads a Sigma rule (logsource aws/cloudtrail) as a rule document: metadata mapped, detection kept.
import { isJsonObject, jsonText, type JsonObject } from '../domain/json.js';
import type { Report } from './compile.js';

const LEVELS: Record<string, string> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};
const STATUSES: Record<string, string> = {
  stable: 'stable',
  test: 'test',
  experimental: 'experimental',
  deprecated: 'deprecated',
  unsupported: 'deprecated',
};
const TACTICS: Record<string, string> = {
  reconnaissance: 'TA0043',
  resource_development: 'TA0042',
  initial_access: 'TA0001',
  execution: 'TA0002',
  persistence: 'TA0003',
  privilege_escalation: 'TA0004',
  defense_evasion: 'TA0005',
  stealth: 'TA0005',
  defense_impairment: 'TA0005',
  credential_access: 'TA0006',
  discovery: 'TA0007',
  lateral_movement: 'TA0008',
  collection: 'TA0009',
  command_and_control: 'TA0011',
  exfiltration: 'TA0010',
  impact: 'TA0040',
};

export function isSigma(doc: JsonObject): boolean {
  return isJsonObject(doc.logsource) && isJsonObject(doc.detection);
}

/** The Trailwatch rule document for a Sigma rule; `id` is the file's name, as for every rule. */
export function sigmaToDoc(doc: JsonObject, fileId: string, report: Report): JsonObject {
  const logsource = doc.logsource as JsonObject;
  if (
    jsonText(logsource.product).toLowerCase() !== 'aws' ||
    jsonText(logsource.service).toLowerCase() !== 'cloudtrail'
  )
    report(
      ['logsource'],
      `only logsource { product: aws, service: cloudtrail } is supported, found ${JSON.stringify(logsource)}`,
    );
  const tags = Array.isArray(doc.tags) ? doc.tags.map(String) : [];
  const tactics = new Set<string>();
  const techniques = new Set<string>();
  for (const tag of tags) {
    const t = tag.toLowerCase();
    if (!t.startsWith('attack.')) continue;
    const name = t.slice('attack.'.length);
    const tech = /^t\d{4}(\.\d{3})?$/.exec(name);
    if (tech) techniques.add(name.toUpperCase());
    else if (TACTICS[name.replaceAll('-', '_')]) tactics.add(TACTICS[name.replaceAll('-', '_')] ?? '');
  }
  const level = LEVELS[jsonText(doc.level ?? 'medium').toLowerCase()];
  if (!level) report(['level'], `unknown level ${JSON.stringify(doc.level)}`);
  const fp = doc.falsepositives;
  const out: JsonObject = {
    id: fileId,
    title: typeof doc.title === 'string' ? doc.title : fileId,
    description: typeof doc.description === 'string' ? doc.description : '',
    severity: level ?? 'medium',
    status: STATUSES[jsonText(doc.status ?? 'experimental').toLowerCase()] ?? 'experimental',
    tactics: [...tactics],
    techniques: [...techniques],
    references: Array.isArray(doc.references) ? doc.references : [],
    falsePositives: Array.isArray(fp) ? fp : fp === undefined ? [] : [fp],
    runbook: '',
    equivalents: typeof doc.id === 'string' ? { sigma: [doc.id] } : {},
    detection: doc.detection as JsonObject,
  };
  for (const key of ['correlation', 'aggregation'])
    if (key in doc)
      report([key], `Sigma '${key}' rules are not supported; write a threshold or sequence rule instead`);
  return out;
}
