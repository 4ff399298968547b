// The public corpus in ../shared/corpus: every record is stored or quarantined with a reason, and found.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attachIdentity } from '../src/pipeline/identity.js';
import { ingest, quarantinedTotal } from '../src/pipeline/ingest.js';
import { createLocalSource } from '../src/sources/local/files.js';
import { openDuckDbStore } from '../src/storage/duckdb/store.js';

const CORPUS = path.resolve(import.meta.dirname, '../../shared/corpus');
const present = existsSync(CORPUS);
if (!present)
  console.warn(`SKIPPED corpus tests: ${CORPUS} is not present (it exists in development checkouts and CI)`);

const FALLBACKS = [
  'source-identity',
  'identity-center',
  'session-name',
  'instance-profile',
  'service-principal',
  'unresolved',
];

const dir = mkdtempSync(path.join(tmpdir(), 'tw-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!present)('public corpus', () => {
  it('ingests every record: stored, duplicate, or quarantined with a reason', async () => {
    const stratus = readdirSync(path.join(CORPUS, 'stratus'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(CORPUS, 'stratus', f));
    const jsonl = ['panther-cases.jsonl', 'panther-scenarios.jsonl', 'awsdocs-examples.jsonl'].map((f) =>
      path.join(CORPUS, f),
    );
    const expected =
      stratus.reduce((n, f) => n + (JSON.parse(readFileSync(f, 'utf8')) as unknown[]).length, 0) +
      jsonl.reduce((n, f) => n + readFileSync(f, 'utf8').trim().split('\n').length, 0);

    const store = await openDuckDbStore(path.join(dir, 'corpus.duckdb'));
    try {
      const s = await ingest(store, [createLocalSource([...stratus, ...jsonl])]);
      expect(s.readErrors).toEqual([]);
      expect(s.recordsSeen).toBe(expected);
      const recordProblems = (await store.quarantine(100_000)).filter((q) => q.index !== null);
      expect(recordProblems).toHaveLength(quarantinedTotal(s));
      expect(s.eventsStored + s.duplicates + recordProblems.length).toBe(expected);
      // Refused: records without a usable time (samples with prose or 'redacted' as eventTime),
      // peer-specific fragments that are no CloudTrail record at all, and test cases that reuse
      // another record's eventID ("1", "abc-123") with other content. Everything else is stored.
      expect(new Set(recordProblems.map((q) => q.reason))).toEqual(
        new Set(['missing-event-time', 'bad-event-time', 'not-cloudtrail', 'conflicting-event-id']),
      );
      for (const q of recordProblems.filter((p) => p.reason === 'bad-event-time'))
        expect(q.detail).not.toMatch(/eventTime "\d{4}-/); // a real date is never refused
      expect((await store.stats()).events).toBe(s.eventsStored);

      const stops = await store.searchEvents({ eventNames: ['StopLogging'], limit: 1000 });
      expect(stops.length).toBeGreaterThan(0);
      // regions are anonymised in the Stratus set: unknown names are kept as they are
      expect((await store.searchEvents({ regions: ['apiso-centralnorth-2r'] })).length).toBeGreaterThan(0);
      expect((await store.searchEvents({ text: 'HIDDEN_DUE_TO_SECURITY_REASONS' })).length).toBeGreaterThan(
        0,
      );

      // Attribution: a role session whose issuing call is in the corpus is linked to that call's
      // caller; every other one says how it was resolved, or that it was not.
      const all = await attachIdentity(store, await store.searchEvents({ limit: 100_000 }));
      const sessions = all.filter((e) => e.actor.type === 'AssumedRole' && e.actor.accessKeyId);
      const ledger = await store.credentials(sessions.map((e) => e.actor.accessKeyId ?? ''));
      let linked = 0;
      for (const e of sessions) {
        const r = e.resolution;
        expect(r?.confidence).toBeDefined();
        const issuing = ledger.get(e.actor.accessKeyId ?? '');
        if (issuing && issuing.kind !== 'CreateAccessKey') {
          linked++;
          expect(r?.chain.at(-1)?.eventId, e.eventId).toBe(issuing.eventId);
        } else {
          expect(r?.chain.at(-1)?.eventId).toBeNull();
          expect(FALLBACKS).toContain(r?.resolvedBy);
          if (r?.resolvedBy === 'unresolved') expect(r.detail).toBeTruthy();
        }
      }
      expect(linked).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
