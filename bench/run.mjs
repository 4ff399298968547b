// npm run bench: ingest, detection and search measured in one run on one generated corpus; ratios are the headline.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1m' },
    out: { type: 'string' },
    // Only the explorer's queries, on a store already filled (e.g. the 10M one of an earlier run).
    'search-store': { type: 'string' },
    // Only the rule matching beside parsing, on the cached corpus.
    matching: { type: 'boolean' },
  },
});
const target = Number(String(values.events).replace(/k$/i, '000').replace(/m$/i, '000000'));
// v2: the demo organisation's own key layout (accounts, regions, delivery days and file names).
const cache = path.join(root, '.bench-cache', `corpus-v2-${target}`);
const PER_FILE = 1000;
const LAYOUT = /^(.*\/(\d{12})\/CloudTrail\/([^/]+))\//;

/** `YYYYMMDDTHHmmZ` and `YYYY/MM/DD` of a delivery five minutes after the file's newest event. */
function delivery(records) {
  const newest = Math.max(...records.map((r) => Date.parse(r.eventTime)));
  const iso = new Date(newest + 5 * 60_000).toISOString();
  return {
    stamp: `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`,
    day: iso.slice(0, 10).replaceAll('-', '/'),
  };
}

async function corpus() {
  if (existsSync(path.join(cache, 'done'))) return;
  rmSync(cache, { recursive: true, force: true });
  const { generateDemoTrail } = await import(path.join(root, 'dist/demo/generate.js'));
  // The demo organisation's activity, repeated over enough weeks, each account's and region's records
  // packed into delivery files of 1,000 records (the last of each 500-1,499) in their own folders.
  // Weeks are generated newest first, so each file takes the newest records left in its region, and
  // what a quiet region has not yet filled a file with joins the older week's.
  const streams = new Map();
  let written = 0;
  const deliver = (folder, stream, count) => {
    const chunk = stream.records.splice(-Math.min(count, target - written));
    const { stamp, day } = delivery(chunk);
    const dir = path.join(cache, folder, day);
    mkdirSync(dir, { recursive: true });
    const name = `${stream.account}_CloudTrail_${stream.region}_${stamp}_f${stream.files++}.json.gz`;
    writeFileSync(path.join(dir, name), gzipSync(JSON.stringify({ Records: chunk })));
    written += chunk.length;
  };
  const end = Date.parse('2024-06-30T00:00:00Z');
  for (let week = 0; written < target; week++) {
    const trail = generateDemoTrail({ end: end - week * 7 * 86_400_000, days: 7, seed: 1000 + week });
    const weeks = new Map();
    for (const f of trail.files) {
      const m = LAYOUT.exec(f.key);
      if (!m) continue;
      if (!streams.has(m[1])) streams.set(m[1], { account: m[2], region: m[3], records: [], files: 0 });
      if (!weeks.has(m[1])) weeks.set(m[1], []);
      weeks.get(m[1]).push(...f.records);
    }
    for (const [folder, records] of weeks) streams.get(folder).records.unshift(...records);
    for (const [folder, stream] of streams) {
      while (stream.records.length >= PER_FILE * 1.5 && written < target) deliver(folder, stream, PER_FILE);
    }
    let pending = 0;
    for (const stream of streams.values()) pending += stream.records.length;
    if (written + pending >= target) {
      for (const [folder, stream] of streams) {
        while (stream.records.length && written < target) deliver(folder, stream, PER_FILE * 1.5);
      }
    }
  }
  writeFileSync(path.join(cache, 'done'), String(written));
}

// The heap cap bin/trailwatch starts its bulk commands with (src/cli/launch.ts), for every step alike.
const { heapFlags } = await import(path.join(root, 'dist/cli/launch.js'));
const HEAP_FLAGS = heapFlags(process.env);

/** Runs one measured step in its own process, so its peak memory is its own. */
function step(name, script, args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...HEAP_FLAGS, '--input-type=module', '-e', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  return { name, ms, ...out };
}

const RAW = `
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
const files = readdirSync(process.argv[1], { recursive: true }).filter((f) => f.endsWith('.gz'));
let n = 0;
for (const f of files) for (const r of JSON.parse(gunzipSync(readFileSync(path.join(process.argv[1], f)))).Records) if (r.eventName) n++;
console.log(JSON.stringify({ events: n, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;

// The same work on every core: files dealt round-robin to one worker thread per core.
const RAW_PARALLEL = `
import { availableParallelism } from 'node:os';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
const dir = process.argv[1];
const files = readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.gz'));
const threads = availableParallelism();
const work = \`
const { workerData, parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { gunzipSync } = require('node:zlib');
let n = 0;
for (const f of workerData.files) for (const r of JSON.parse(gunzipSync(readFileSync(path.join(workerData.dir, f)))).Records) if (r.eventName) n++;
parentPort.postMessage(n);\`;
const counts = await Promise.all(Array.from({ length: threads }, (_, i) => new Promise((resolve, reject) => {
  const w = new Worker(work, { eval: true, execArgv: [], workerData: { dir, files: files.filter((_, j) => j % threads === i) } });
  w.once('message', resolve);
  w.once('error', reject);
})));
console.log(JSON.stringify({ events: counts.reduce((a, b) => a + b, 0), threads, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;

const INGEST = `
const { openStore, loadRuleSet, createSources } = await import('${path.join(root, 'dist/app.js')}');
const { ingest } = await import('${path.join(root, 'dist/pipeline/ingest.js')}');
const [dir, db, withRules] = process.argv.slice(1);
// As trailwatch ingest opens it: a bulk writer's smaller DuckDB buffer.
const store = await openStore(db, Date.now, { bulk: true });
const rules = withRules === 'yes' ? (await loadRuleSet(undefined, process.cwd())).rules : null;
const s = await ingest(store, createSources([dir], { filter: {}, aws: {}, stdin: process.stdin }), rules ? { detection: { rules } } : {});
await store.close();
console.log(JSON.stringify({ events: s.eventsStored, rules: rules?.length ?? 0, alerts: s.alerts, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;

// The detection engine next to parsing (#4): each file prepared as ingest does (gunzip, JSON.parse,
// normalization, the raw record's key spelling), then its events matched against the whole pack as
// ingest matches them, on one thread, with no store (an empty ledger: attribution from the records).
const MATCHING = `
const { readFileSync, readdirSync } = await import('node:fs');
const path = await import('node:path');
const { loadRuleSet } = await import('${path.join(root, 'dist/app.js')}');
const { prepareObject } = await import('${path.join(root, 'dist/pipeline/prepare-object.js')}');
const { buildIndex } = await import('${path.join(root, 'dist/engine/match.js')}');
const { detect } = await import('${path.join(root, 'dist/engine/detect.js')}');
const { resolutionOf } = await import('${path.join(root, 'dist/identity/enrich.js')}');
const { checkSessionName } = await import('${path.join(root, 'dist/identity/session-name.js')}');
const { buildView } = await import('${path.join(root, 'dist/engine/view.js')}');
const dir = process.argv[1];
const index = buildIndex((await loadRuleSet(undefined, process.cwd())).rules);
const files = readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.gz')).sort();
let events = 0, matches = 0, prepareMs = 0, matchMs = 0, attributionMs = 0, views = 0;
const ledger = new Map();
for (const f of files) {
  const bytes = readFileSync(path.join(dir, f));
  let t = performance.now();
  const p = prepareObject({ identity: f, uri: f, key: f }, bytes);
  prepareMs += performance.now() - t;
  t = performance.now();
  matches += detect(index, p.events.map((event, i) => ({ event, raw: p.records[i] })), ledger).length;
  matchMs += performance.now() - t;
  // The part of it that is attribution and the view, not rules: the same work again, timed alone.
  t = performance.now();
  for (let i = 0; i < p.events.length; i++) {
    const event = p.events[i];
    const r = resolutionOf(event, ledger);
    if (buildView(p.records[i], event, r, checkSessionName(event, r))) views++;
  }
  attributionMs += performance.now() - t;
  events += p.events.length;
}
console.log(JSON.stringify({ events, matches, prepareMs, matchMs, attributionMs, views, rules: index.rules.length, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;

// trailwatch hunt as a responder runs it: temporary store, full pack, alerts printed (to /dev/null).
const HUNT = `
const { runHunt } = await import('${path.join(root, 'dist/cli/hunt.js')}');
const { processIo } = await import('${path.join(root, 'dist/cli/io.js')}');
const io = { ...processIo(), out: () => undefined, err: () => undefined };
const code = await runHunt([process.argv[1], '--format', 'jsonl'], io);
console.log(JSON.stringify({ exitCode: code, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;

const SEARCH = `
const { openStore } = await import('${path.join(root, 'dist/app.js')}');
const store = await openStore(process.argv[1]);
const queries = {
  'by user': { userNames: ['alice@acme.example'], limit: 100 },
  'by event name': { eventNames: ['AssumeRole'], limit: 100 },
  'errors': { outcome: 'failure', limit: 100 },
  'by source IP': { sourceIps: ['203.0.113.77'], limit: 100 },
  'time range': { since: Date.parse('2024-06-01T00:00:00Z'), until: Date.parse('2024-06-02T00:00:00Z'), limit: 100 },
  'free text': { text: 'backup-admin', limit: 100 },
  // A term in a handful of events: the newest page needs the whole store scanned.
  'free text (rare term)': { text: 'deletedetector', limit: 100 },
  'by origin': { origins: ['backup-admin'], limit: 100 },
};
const { getHistogram } = await import('${path.join(root, 'dist/server/api-explore.js')}');
const RUNS = 21;
const out = {};
const summary = (times) => {
  times.sort((a, b) => a - b);
  // p95 of 21 runs: the 20th fastest
  return { medianMs: +times[10].toFixed(1), p95Ms: +times[19].toFixed(1) };
};
async function measure(name, run) {
  const times = [];
  for (let i = 0; i < RUNS; i++) { const t = performance.now(); await run(i); times.push(performance.now() - t); }
  out[name] = summary(times);
}
// The store remembers the rows a free text or origin filter matched (storage/duckdb/hits.ts); each
// run asks with other letter case (the same matches) so that every run pays what a new search does.
const variant = (s, i) => [...s].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c.toLowerCase())).join('');
const fresh = (q, i) => ({
  ...q,
  ...(q.text ? { text: variant(q.text, i) } : {}),
  ...(q.origins ? { origins: q.origins.map((o) => variant(o, i)) } : {}),
});
// The explorer's table asks for the list view (storage port's EventView); one query also whole.
for (const [name, q] of Object.entries(queries)) await measure(name, (i) => store.searchEvents(fresh(q, i), 'list'));
await measure('free text (rare term), whole events', (i) => store.searchEvents(fresh(queries['free text (rare term)'], i)));
await measure('facets (4 fields, top 10)', () =>
  store.summarizeEvents({}, ['eventName', 'sourceIpAddress', 'recipientAccountId', 'errorCode'], 10));
const now = () => Date.parse('2024-07-01T00:00:00Z');
await measure('histogram (60 buckets, as the explorer)', () =>
  getHistogram({ store, query: new URLSearchParams('buckets=60'), now }));
// What the explorer waits for after a search, as web/app.js asks for it: the page with attribution
// (the table is shown then), then the facets and the time chart together (one store connection
// answers them in turn). Timed to the table and to the whole round.
const { searchEvents } = await import('${path.join(root, 'dist/server/api-events.js')}');
const { getFacets } = await import('${path.join(root, 'dist/server/api-explore.js')}');
const rounds = {
  'no filter': '',
  'by user': 'user=alice@acme.example',
  'by event name': 'eventName=AssumeRole',
  'errors': 'outcome=failure',
  'free text': 'text=backup-admin',
  'free text (rare term)': 'text=deletedetector',
  'by origin': 'origin=backup-admin',
  // The same term again with a facet clicked: its matches are remembered from the first run.
  'rare term, then a facet': 'text=deletedetector&region=us-east-1',
};
for (const [name, filters] of Object.entries(rounds)) {
  const again = name.includes(', then');
  const ctx = (i, extra) => {
    const query = new URLSearchParams(filters + extra);
    for (const k of again ? [] : ['text', 'origin']) if (query.has(k)) query.set(k, variant(query.get(k), i));
    return { store, rules: [], now, params: {}, body: {}, query };
  };
  const table = [], round = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await searchEvents(ctx(i, '&limit=100&view=list'));
    table.push(performance.now() - t);
    await Promise.all([getFacets(ctx(i, '')), getHistogram(ctx(i, '&buckets=60'))]);
    round.push(performance.now() - t);
  }
  out['explorer round: ' + name] = summary(round);
  out['explorer round: ' + name + ' (table)'] = summary(table);
}
await store.close();
console.log(JSON.stringify({ queries: out, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;

const printSearch = (queries) => {
  for (const [k, v] of Object.entries(queries))
    console.log(`search ${k.padEnd(37)} median ${v.medianMs} ms, p95 ${v.p95Ms} ms`);
};
/** The matching step's figures, as the report keeps them and the table prints them. */
const matchingFigures = (m) => ({
  events: m.events,
  rules: m.rules,
  matches: m.matches,
  prepareSeconds: +(m.prepareMs / 1000).toFixed(2),
  matchSeconds: +(m.matchMs / 1000).toFixed(2),
  microsecondsPerEvent: +((m.matchMs * 1000) / m.events).toFixed(1),
  ratio: +(m.matchMs / m.prepareMs).toFixed(3),
  // Of the matching time, attribution and the view (timed alone on the same events), and the rest:
  // testing the rules and making the match rows.
  attributionSeconds: +(m.attributionMs / 1000).toFixed(2),
  rulesRatio: +((m.matchMs - m.attributionMs) / m.prepareMs).toFixed(3),
});
const printMatching = (f) =>
  console.log(
    `rule matching (${f.rules} rules, 1 thread, no store): ${f.matchSeconds} s for ${f.events} events (${f.microsecondsPerEvent} µs each, ${f.matches} matches); parsing and normalizing them ${f.prepareSeconds} s; ratio ${f.ratio}; of the matching, attribution and views ${f.attributionSeconds} s, rules and match rows ÷ parsing ${f.rulesRatio}`,
  );
if (values.matching) {
  await corpus();
  printMatching(matchingFigures(step('rule matching', MATCHING, [cache])));
  process.exit(0);
}
if (values['search-store']) {
  const only = step('search', SEARCH, [path.resolve(values['search-store'])]);
  printSearch(only.queries);
  const report = { date: new Date().toISOString(), store: values['search-store'], search: only.queries };
  const out = values.out ?? path.join(root, '.bench-cache', 'search-report.json');
  writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(`report: ${out}`);
  process.exit(0);
}

await corpus();
const work = path.join(root, '.bench-cache', 'run');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const files = readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.gz')).length;
const raw = step('raw limit (gunzip + JSON.parse, 1 thread)', RAW, [cache]);
const rawParallel = step('raw limit (worker thread per core)', RAW_PARALLEL, [cache]);
rawParallel.name = `raw limit (${rawParallel.threads} worker threads)`;
const matching = step('rule matching beside parsing (1 thread, no store)', MATCHING, [cache]);
const withRules = step('ingest with the rule pack', INGEST, [cache, path.join(work, 'rules.duckdb'), 'yes']);
const noRules = step('ingest without rules', INGEST, [cache, path.join(work, 'plain.duckdb'), 'no']);
const hunt = step('hunt (temporary store, rule pack)', HUNT, [cache]);
hunt.events = raw.events;
const search = step('search', SEARCH, [path.join(work, 'rules.duckdb')]);
const rate = (s) => Math.round((s.events / s.ms) * 1000);
const report = {
  date: new Date().toISOString(),
  corpus: { events: raw.events, files },
  nodeFlags: HEAP_FLAGS,
  steps: [raw, rawParallel, withRules, noRules, hunt].map((s) => ({
    name: s.name,
    seconds: +(s.ms / 1000).toFixed(2),
    eventsPerSecond: rate(s),
    maxRssMb: s.maxRssMb,
    ...(s.rules ? { rules: s.rules, alerts: s.alerts } : {}),
  })),
  ratios: {
    'ingest with rules ÷ raw limit (events/s)': +(rate(withRules) / rate(rawParallel)).toFixed(3),
    'ingest with rules ÷ one-thread raw limit': +(rate(withRules) / rate(raw)).toFixed(3),
    'detection share of ingest time': +((withRules.ms - noRules.ms) / withRules.ms).toFixed(3),
    'rule matching ÷ parsing and normalizing': matchingFigures(matching).ratio,
  },
  matching: matchingFigures(matching),
  search: search.queries,
};
console.log(
  `corpus: ${report.corpus.events} events in ${files} files; node ${HEAP_FLAGS.join(' ') || '(no heap cap)'}`,
);
for (const s of report.steps)
  console.log(
    `${s.name.padEnd(44)} ${String(s.seconds).padStart(8)} s ${String(s.eventsPerSecond).padStart(8)} events/s  peak RSS ${s.maxRssMb} MB`,
  );
printMatching(report.matching);
for (const [k, v] of Object.entries(report.ratios)) console.log(`${k.padEnd(44)} ${v}`);
printSearch(report.search);
const out = values.out ?? path.join(root, '.bench-cache', 'report.json');
writeFileSync(out, JSON.stringify(report, null, 2));
console.log(`report: ${out}`);
