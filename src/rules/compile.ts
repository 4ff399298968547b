// Compiles a rule document (already read from YAML or Sigma) into a CompiledRule, collecting every issue.
import { isJsonObject, jsonText, type Json, type JsonObject } from '../domain/json.js';
import {
  RULE_TYPES,
  SEVERITIES,
  STATUSES,
  type CompiledRule,
  type MatchView,
  type RuleMeta,
  type RuleTest,
  type RuleType,
  type Severity,
} from '../domain/rule.js';
import {
  ConditionError,
  compileLogic,
  conditionLogic,
  parseCondition,
  referencedNames,
  requiredValues,
  type Condition,
  type Logic,
} from './condition.js';
import { parseDuration } from './duration.js';
import { textReader } from './fields.js';
import { compileSharedEntry, type Test } from './modifiers.js';
import { PREDICATES } from './predicates/index.js';

/** Reports a problem at a path of the document (e.g. ['detection', 'sel', 'eventName']). */
export type Report = (path: (string | number)[], message: string, severity?: 'error' | 'warning') => void;

export interface CompileOptions {
  file: string;
  format: 'trailwatch' | 'sigma';
  /** User additions to named lists (replacing nothing: values are added to the rule's defaults). */
  extraLists?: ReadonlyMap<string, readonly string[]>;
  report: Report;
}

const DEFAULT_DEDUP_MS = 3_600_000;
/** The steps of an event that is none (shared: most events meet a sequence rule's steps in none). */
const NO_STEPS: readonly string[] = Object.freeze([]);
const TACTIC = /^TA\d{4}$/;
const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

function strings(v: Json | undefined): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/** Relative cost of an entry: plain comparisons on top-level fields are cheapest, regexes dearest. */
function entryCost(key: string): number {
  const [field = '', ...mods] = key.split('|');
  const deep = field.split('.').length - 1;
  if (mods.includes('re') || mods.includes('cidr') || mods.includes('fieldref')) return 2 + deep * 0.1;
  return (field === 'eventName' || field === 'eventSource' ? 0 : 1) + deep * 0.1;
}

function compileSelection(
  name: string,
  body: Json,
  lists: ReadonlyMap<string, readonly string[]>,
  report: Report,
): Logic<MatchView> | null {
  const maps = Array.isArray(body) ? body : [body];
  const alternatives: Logic<MatchView>[] = [];
  for (const [i, map] of maps.entries()) {
    const at = Array.isArray(body) ? ['detection', name, i] : ['detection', name];
    if (!isJsonObject(map)) {
      report(at, `selection '${name}' must be a map of field: value (or a list of such maps)`);
      return null;
    }
    const tests: { run: Test; cost: number }[] = [];
    for (const [key, value] of Object.entries(map)) {
      if (key === '@predicate') {
        for (const p of strings(value)) {
          const predicate = PREDICATES.get(p);
          if (!predicate) report([...at, key], `unknown predicate '${p}' (see trailwatch rules predicates)`);
          else tests.push({ run: (view) => predicate.test(view.record), cost: 3 });
        }
        continue;
      }
      const test = compileSharedEntry(key, value, { lists, issue: (m) => report([...at, key], m) });
      if (test) tests.push({ run: test, cost: entryCost(key) });
    }
    // Cheap, selective entries first: an event usually fails on its name before a regex runs.
    tests.sort((x, y) => x.cost - y.cost);
    alternatives.push({ kind: 'and', items: tests.map((t) => ({ kind: 'test', test: t.run })) });
  }
  return { kind: 'or', items: alternatives };
}

/** The exact values a selection requires for a field, or null if it allows any. */
function requiredOf(body: Json, field: string): Set<string> | null {
  const maps = Array.isArray(body) ? body : [body];
  const sets: (Set<string> | null)[] = maps.map((m) => {
    if (!isJsonObject(m) || !(field in m)) return null;
    const values = strings(m[field]);
    return values.some((v) => /[*?]/.test(v)) ? null : new Set(values.map((v) => v.toLowerCase()));
  });
  return sets.some((s) => s === null) ? null : new Set(sets.flatMap((s) => [...(s ?? [])]));
}

/**
 * A title template (`{field.path}` placeholders, '?' for an absent value) split once into its text
 * and its paths: every match row renders one.
 */
function compileTemplate(text: string): (view: MatchView) => string {
  // Split with a capturing group: text, path, text, path, …, text.
  const parts = text.split(/\{([A-Za-z0-9_.@-]+)\}/g);
  if (parts.length === 1) return () => text;
  const fields: { read: (view: MatchView) => string; after: string }[] = [];
  for (let i = 1; i < parts.length; i += 2)
    fields.push({ read: textReader(parts[i] ?? ''), after: parts[i + 1] ?? '' });
  return (view) => {
    let out = parts[0] ?? '';
    for (const f of fields) out += (f.read(view) || '?') + f.after;
    return out;
  };
}

function metaOf(doc: JsonObject, opts: CompileOptions): RuleMeta {
  const { report } = opts;
  const str = (key: string, required = true): string => {
    const v = doc[key];
    if (typeof v === 'string' && v.trim()) return v;
    if (required) report([key], `'${key}' is required: a non-empty text`);
    return '';
  };
  const id = str('id');
  const severity = doc.severity as Severity;
  if (!SEVERITIES.includes(severity))
    report(['severity'], `'severity' must be one of ${SEVERITIES.join(', ')}`);
  const status = doc.status as RuleMeta['status'];
  if (!STATUSES.includes(status)) report(['status'], `'status' must be one of ${STATUSES.join(', ')}`);
  const tactics = strings(doc.tactics);
  const techniques = strings(doc.techniques);
  tactics.forEach(
    (t, i) => TACTIC.test(t) || report(['tactics', i], `tactic '${t}' is not an ATT&CK tactic id (TA0001…)`),
  );
  techniques.forEach(
    (t, i) =>
      TECHNIQUE.test(t) ||
      report(['techniques', i], `technique '${t}' is not an ATT&CK technique id (T1078 or T1078.004)`),
  );
  if (opts.format === 'trailwatch' && !tactics.length)
    report(['tactics'], "'tactics' needs at least one ATT&CK tactic id");
  const equivalents: Record<string, string[]> = {};
  if (doc.equivalents !== undefined) {
    if (!isJsonObject(doc.equivalents))
      report(['equivalents'], "'equivalents' maps an engine name to rule ids");
    else for (const [engine, ids] of Object.entries(doc.equivalents)) equivalents[engine] = strings(ids);
  }
  return {
    id,
    title: str('title'),
    description: str('description', opts.format === 'trailwatch'),
    severity: SEVERITIES.includes(severity) ? severity : 'medium',
    status: STATUSES.includes(status) ? status : 'experimental',
    tactics,
    techniques,
    references: strings(doc.references),
    falsePositives: strings(doc.falsePositives),
    runbook: str('runbook', opts.format === 'trailwatch'),
    equivalents,
    file: opts.file,
    format: opts.format,
  };
}

function listsOf(doc: JsonObject, opts: CompileOptions): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  if (doc.lists !== undefined && !isJsonObject(doc.lists))
    opts.report(['lists'], "'lists' maps a list name to its values");
  if (isJsonObject(doc.lists))
    for (const [name, values] of Object.entries(doc.lists)) lists.set(name, strings(values));
  for (const [name, values] of opts.extraLists ?? [])
    if (lists.has(name)) lists.set(name, [...(lists.get(name) ?? []), ...values]);
  return lists;
}

function testsOf(
  doc: JsonObject,
  type: RuleType,
  report: Report,
  format: CompileOptions['format'],
): RuleTest[] {
  const raw = doc.tests;
  if (raw === undefined) {
    if (format === 'trailwatch')
      report(['tests'], "'tests' is required: at least one case that alerts and one that does not");
    return [];
  }
  if (!Array.isArray(raw)) {
    report(['tests'], "'tests' must be a list");
    return [];
  }
  const tests: RuleTest[] = [];
  for (const [i, t] of raw.entries()) {
    if (!isJsonObject(t)) {
      report(['tests', i], 'a test is a map with name, event (or events) and alert (or alerts)');
      continue;
    }
    const events = t.events ?? (t.event === undefined ? undefined : [t.event]);
    if (!Array.isArray(events) || !events.every(isJsonObject) || !events.length) {
      report(['tests', i], "a test needs 'event' (a partial record) or 'events' (a list of them)");
      continue;
    }
    let expect: RuleTest['expect'];
    if (typeof t.alert === 'boolean') expect = { alert: t.alert };
    else if (typeof t.alerts === 'number' && Number.isInteger(t.alerts) && t.alerts >= 0)
      expect = { alerts: t.alerts };
    else {
      report(['tests', i], "a test needs 'alert: true|false' or 'alerts: <count>'");
      continue;
    }
    if (type === 'match' && events.length > 1 && 'alert' in expect)
      report(['tests', i], "with several events, say how many alerts: 'alerts: N'", 'warning');
    tests.push({
      name: typeof t.name === 'string' ? t.name : `test ${i + 1}`,
      events: events,
      expect,
      line: null,
    });
  }
  const positive = tests.some((t) => ('alert' in t.expect ? t.expect.alert : t.expect.alerts > 0));
  const negative = tests.some((t) => ('alert' in t.expect ? !t.expect.alert : t.expect.alerts === 0));
  if (format === 'trailwatch' && (!positive || !negative))
    report(['tests'], 'tests need at least one case that alerts and one that does not');
  return tests;
}

export function compileRule(doc: JsonObject, opts: CompileOptions): CompiledRule | null {
  const { report } = opts;
  const meta = metaOf(doc, opts);
  const type = (doc.type ?? 'match') as RuleType;
  if (!RULE_TYPES.includes(type)) report(['type'], `'type' must be one of ${RULE_TYPES.join(', ')}`);
  const lists = listsOf(doc, opts);
  const detection = doc.detection;
  if (!isJsonObject(detection)) {
    report(['detection'], "'detection' is required: named selections and a condition");
    return null;
  }
  const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  if (detection.timeframe !== undefined)
    report(
      ['detection', 'timeframe'],
      "'timeframe' (Sigma aggregation) is not supported; use a threshold rule",
    );
  const selections = new Map<string, Logic<MatchView>>();
  for (const name of names) {
    const test = compileSelection(name, detection[name] ?? null, lists, report);
    if (test) selections.set(name, test);
  }

  let condition: Condition | null = null;
  const conditionText = Array.isArray(detection.condition)
    ? detection.condition.map(jsonText).join(' or ')
    : detection.condition;
  if (typeof conditionText === 'string') {
    try {
      condition = parseCondition(conditionText);
      for (const n of referencedNames(condition, names))
        if (!names.includes(n))
          report(['detection', 'condition'], `condition names '${n}', which is not a selection`);
      if (condition.kind === 'of' && !referencedNames(condition, names).length)
        report(['detection', 'condition'], `'${condition.pattern}' matches no selection`);
    } catch (err) {
      report(['detection', 'condition'], err instanceof ConditionError ? err.message : String(err));
    }
  } else if (type !== 'sequence') report(['detection', 'condition'], "'condition' is required");

  const spec = (key: string): JsonObject | null => {
    const v = doc[key];
    if (v === undefined) return null;
    if (!isJsonObject(v)) report([key], `'${key}' must be a map`);
    return isJsonObject(v) ? v : null;
  };
  const duration = (path: string[], v: Json | undefined, fallback: number | null): number => {
    if (v === undefined && fallback !== null) return fallback;
    const ms = parseDuration(v);
    if (ms === null)
      report(path, `expected a duration such as 30m, 1h or 7d, found ${JSON.stringify(v ?? null)}`);
    return ms ?? fallback ?? 0;
  };

  let threshold: CompiledRule['threshold'] = null;
  let newValue: CompiledRule['newValue'] = null;
  let sequence: CompiledRule['sequence'] = null;
  if (type === 'threshold') {
    const t = spec('threshold');
    if (!t) report(['threshold'], "a threshold rule needs 'threshold: { count, window }'");
    const count = t?.count;
    if (t && (typeof count !== 'number' || count < 1))
      report(['threshold', 'count'], "'count' must be a positive number");
    threshold = {
      count: typeof count === 'number' ? count : 1,
      distinct: typeof t?.distinct === 'string' ? t.distinct : null,
      windowMs: duration(['threshold', 'window'], t?.window, null),
    };
  } else if (type === 'new-value') {
    const nv = spec('newValue');
    if (!nv || typeof nv.value !== 'string')
      report(['newValue'], "a new-value rule needs 'newValue: { value: <field>, learning: <duration> }'");
    newValue = {
      value: typeof nv?.value === 'string' ? nv.value : '',
      learningMs: duration(['newValue', 'learning'], nv?.learning, 0),
    };
  } else if (type === 'sequence') {
    const sq = spec('sequence');
    const steps = strings(sq?.steps);
    const byFields = strings(sq?.by);
    if (!sq || !byFields.length || steps.length < 2)
      report(
        ['sequence'],
        "a sequence rule needs 'sequence: { by: <field>, window: <duration>, steps: [sel1, sel2, …] }'",
      );
    for (const s of steps)
      if (!names.includes(s)) report(['sequence', 'steps'], `step '${s}' is not a selection`);
    sequence = {
      by: byFields,
      windowMs: duration(['sequence', 'window'], sq?.window, null),
      steps,
    };
  }
  const specFor: Record<string, RuleType> = {
    threshold: 'threshold',
    newValue: 'new-value',
    sequence: 'sequence',
  };
  for (const [key, t] of Object.entries(specFor))
    if (doc[key] !== undefined && type !== t)
      report([key], `'${key}' only applies to '${t}' rules (this rule is '${type}')`);

  const output = spec('output') ?? {};
  const groupBy = output.groupBy === undefined ? ['actor.origin.id'] : strings(output.groupBy);
  const raises: { when: string; severity: Severity }[] = [];
  if (output.severity !== undefined) {
    if (!Array.isArray(output.severity))
      report(['output', 'severity'], "'severity' is a list of { when: <selection>, severity: <level> }");
    else
      for (const [i, r] of output.severity.entries()) {
        if (
          !isJsonObject(r) ||
          typeof r.when !== 'string' ||
          !SEVERITIES.includes(r.severity as Severity) ||
          !names.includes(r.when)
        )
          report(
            ['output', 'severity', i],
            `expected { when: <a selection name>, severity: <${SEVERITIES.join('|')}> }`,
          );
        else raises.push({ when: r.when, severity: r.severity as Severity });
      }
  }
  const used = new Set([
    ...(condition ? referencedNames(condition, names) : []),
    ...(sequence?.steps ?? []),
    ...raises.map((r) => r.when),
  ]);
  for (const n of names)
    if (!used.has(n))
      report(
        ['detection', n],
        `selection '${n}' is not used by the condition, a sequence step or a severity raise`,
        'warning',
      );
  const titleText = typeof output.title === 'string' ? output.title : meta.title;
  const tests = testsOf(doc, type, report, opts.format);

  const holds = condition
    ? compileLogic(conditionLogic(condition, (n) => selections.get(n), names))
    : () => false;
  // Sequence steps and severity raises test one selection each; only those selections are compiled alone.
  const selectionTests = new Map<string, Test>();
  for (const n of [...(sequence?.steps ?? []), ...raises.map((r) => r.when)]) {
    const logic = selections.get(n);
    if (logic && !selectionTests.has(n)) selectionTests.set(n, compileLogic(logic));
  }
  const idxNames = condition
    ? requiredValues(condition, (n) => requiredOf(detection[n] ?? null, 'eventName'), names)
    : null;
  const idxSources = condition
    ? requiredValues(condition, (n) => requiredOf(detection[n] ?? null, 'eventSource'), names)
    : null;
  const stepNames = sequence?.steps ?? [];
  const stepTests = stepNames.map((s) => selectionTests.get(s));
  const seqNames =
    type === 'sequence' ? stepNames.map((s) => requiredOf(detection[s] ?? null, 'eventName')) : [];
  const seqIndex = seqNames.some((s) => s === null) ? null : new Set(seqNames.flatMap((s) => [...(s ?? [])]));

  // Group keys, values and titles are read for every match: their paths are split here, once.
  const groupReaders = groupBy.map(textReader);
  const byReaders = (sequence?.by ?? []).map(textReader);
  const valueField = threshold?.distinct ?? newValue?.value ?? null;
  const valueReader = valueField ? textReader(valueField) : null;

  return {
    meta,
    type,
    eventNames: type === 'sequence' && !condition ? seqIndex : idxNames,
    eventSources: type === 'sequence' && !condition ? null : idxSources,
    matches: holds,
    steps: (view) => {
      let found: string[] | null = null;
      for (let i = 0; i < stepTests.length; i++)
        if (stepTests[i]?.(view)) (found ??= []).push(stepNames[i] as string);
      return found ?? NO_STEPS;
    },
    groupKey: (view) => {
      let key = '';
      let separator = '';
      for (const read of groupReaders) {
        key += separator + read(view);
        separator = '|';
      }
      return key;
    },
    groupKeyForSequence: (view) => {
      for (const read of byReaders) {
        const v = read(view);
        if (v !== '') return v;
      }
      return '';
    },
    value: (view) => (valueReader ? valueReader(view) : null),
    title: compileTemplate(titleText),
    severity: (view) => {
      let level = meta.severity;
      for (const r of raises)
        if (selectionTests.get(r.when)?.(view) && SEVERITIES.indexOf(r.severity) > SEVERITIES.indexOf(level))
          level = r.severity;
      return level;
    },
    fields: strings(output.fields),
    usedFields: [
      ...new Set([
        ...names.flatMap((n) => {
          const body = detection[n] ?? null;
          return (Array.isArray(body) ? body : [body]).flatMap((m) =>
            isJsonObject(m)
              ? Object.keys(m)
                  .filter((k) => k !== '@predicate')
                  .map((k) => k.split('|')[0] ?? '')
              : [],
          );
        }),
        ...groupBy,
        ...strings(output.fields),
        ...[...titleText.matchAll(/\{([A-Za-z0-9_.@-]+)\}/g)].map((m) => m[1] ?? ''),
        ...(threshold?.distinct ? [threshold.distinct] : []),
        ...(newValue?.value ? [newValue.value] : []),
        ...(sequence?.by ?? []),
      ]),
    ],
    dedupMs: duration(['output', 'dedup'], output.dedup, DEFAULT_DEDUP_MS),
    threshold,
    newValue,
    sequence,
    tests,
  };
}
