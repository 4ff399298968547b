// Matching again: alerts that group by the resolved origin are the same whether the AssumeRole that
// issued a session arrives before its calls, with them, or after them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/app.js';
import type { JsonObject } from '../../src/domain/json.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { createLocalSource } from '../../src/sources/local/files.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { callBy, iamUser, roleSession, stsCall } from '../helpers/identity-records.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-rematch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RULES = path.join(root, 'rules');
mkdirSync(RULES);
writeFileSync(
  path.join(RULES, 'buckets-listed.yml'),
  `id: buckets-listed
title: Buckets listed
description: Who lists buckets, by the identity behind the call.
severity: low
status: stable
tactics: [TA0007]
runbook: Ask the person behind the origin.
type: match
detection:
  list: { eventName: ListBuckets }
  condition: list
output:
  title: 'Buckets listed by {actor.origin.name}'
  groupBy: [actor.origin.id]
  dedup: 1d
tests:
  - { name: listed, alerts: 1, events: [{ eventName: ListBuckets }] }
  - { name: other, alerts: 0, events: [{ eventName: GetObject }] }
`,
);

const A = '111111111111';
const B = '222222222222';
const alice = iamUser(A, 'alice', 'AKIAALICE');
const hop1 = stsCall('AssumeRole', alice, 'ASIAJUMP', { account: A, role: 'Jump', session: 'alice' });
const jump = roleSession(A, 'Jump', 'alice', 'ASIAJUMP');
const hop2 = stsCall('AssumeRole', jump, 'ASIADEPLOY', {
  account: A,
  roleAccount: B,
  role: 'Deploy',
  session: 'deploy',
});
const deploy = roleSession(B, 'Deploy', 'deploy', 'ASIADEPLOY');
const calls = [callBy(deploy, B, 'ListBuckets', 40), callBy(deploy, B, 'ListBuckets', 41)];
const other = callBy(jump, A, 'ListBuckets', 45);

let run = 0;
/** Ingests each group as its own file and batch, in order; returns the alerts and what was re-matched. */
async function deliver(...groups: JsonObject[][]): Promise<{ alerts: string[]; rematched: number }> {
  const dir = path.join(root, `run-${run++}`);
  mkdirSync(dir);
  const { rules } = await loadRuleSet([RULES], root);
  const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
  let rematched = 0;
  try {
    for (const [i, records] of groups.entries()) {
      const f = path.join(dir, `f${i}.json`);
      writeFileSync(f, JSON.stringify({ Records: records }));
      rematched += (await ingest(store, [createLocalSource([f])], { detection: { rules } })).rematched;
    }
    // Delivering every file again (under other names) changes nothing.
    for (const [i, records] of groups.entries())
      writeFileSync(path.join(dir, `again-${i}.json`), JSON.stringify({ Records: records }));
    const again = await ingest(store, [createLocalSource([dir])], { detection: { rules } });
    expect(again.rematched).toBe(0);
    const alerts = (await store.alerts({})).map(
      (a) => `${a.id} ${a.title} ${a.count} ${a.origin.id} ${a.eventIds.join(',')}`,
    );
    return { alerts, rematched };
  } finally {
    await store.close();
  }
}

describe('matching again when attribution changes', () => {
  it('gives the same alerts whatever order the issuing calls arrive in', async () => {
    const inOrder = await deliver([hop1], [hop2], [...calls, other]);
    expect(inOrder.rematched).toBe(0);
    // Both sessions lead to alice: one alert, named after her.
    expect(inOrder.alerts).toHaveLength(1);
    expect(inOrder.alerts[0]).toContain(`Buckets listed by alice 3 arn:aws:iam::${A}:user/alice`);
    const together = await deliver([hop1, hop2, ...calls, other]);
    expect(together.alerts).toEqual(inOrder.alerts);
    // The calls first, then the hop into the deployment account, then the first hop: every call
    // is matched again as its chain grows (the descendant row is resolved again, too).
    const late = await deliver([...calls, other], [hop2], [hop1]);
    expect(late.alerts).toEqual(inOrder.alerts);
    expect(late.rematched).toBeGreaterThanOrEqual(3);
    const middleLast = await deliver([hop1], [...calls, other], [hop2]);
    expect(middleLast.alerts).toEqual(inOrder.alerts);
  });

  it('matches again stored events spread over more files than it reads at once', async () => {
    // Twelve files, each one call: the late hop reaches events in all of them (read eight at a time).
    const many = Array.from({ length: 12 }, (_, i) => [callBy(deploy, B, 'ListBuckets', 50 + i)]);
    const inOrder = await deliver([hop1], [hop2], ...many);
    const late = await deliver(...many, [hop2], [hop1]);
    expect(late.alerts).toEqual(inOrder.alerts);
    expect(late.alerts[0]).toContain(`Buckets listed by alice 12 arn:aws:iam::${A}:user/alice`);
    expect(late.rematched).toBeGreaterThanOrEqual(12);
  });

  it('with other writers: a writer whose batch was matched before another stored the issuing call matches it again', async () => {
    const dir = path.join(root, 'race');
    mkdirSync(dir);
    const { rules } = await loadRuleSet([RULES], root);
    const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
    const file = (name: string, records: JsonObject[]): string => {
      const f = path.join(dir, name);
      writeFileSync(f, JSON.stringify({ Records: records }));
      return f;
    };
    const hops = file('hops.json', [hop1, hop2]);
    const callsFile = file('calls.json', [...calls, other]);
    try {
      // Writer Y stores the issuing calls after writer X matched its calls and before X stores them,
      // so Y's look for stored calls finds none: only X's check after its own write can fix them.
      let raced = false;
      const x = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop !== 'appendBatch') return Reflect.get(target, prop, receiver) as unknown;
          return async (batch: Parameters<typeof store.appendBatch>[0]) => {
            if (!raced && batch.events.length) {
              raced = true;
              await ingest(store, [createLocalSource([hops])], {
                detection: { rules },
                hasOtherWriters: true,
              });
            }
            return store.appendBatch(batch);
          };
        },
      });
      const summary = await ingest(x, [createLocalSource([callsFile])], {
        detection: { rules },
        hasOtherWriters: true,
      });
      expect(raced).toBe(true);
      expect(summary.rematched).toBe(3);
      const alerts = (await store.alerts({})).map((a) => `${a.title} ${a.count}`);
      expect(alerts).toEqual(['Buckets listed by alice 3']);
    } finally {
      await store.close();
    }
  });

  it('keeps a triaged alert whose key lost its matches, and removes an untriaged one', async () => {
    const dir = path.join(root, 'triage');
    mkdirSync(dir);
    const { rules } = await loadRuleSet([RULES], root);
    const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
    try {
      const file = (name: string, records: JsonObject[]): string => {
        const f = path.join(dir, name);
        writeFileSync(f, JSON.stringify({ Records: records }));
        return f;
      };
      await ingest(store, [createLocalSource([file('calls.json', [...calls, other])])], {
        detection: { rules },
      });
      const before = await store.alerts({});
      // Unresolved: the deploy session and the jump session each group on their own.
      expect(before).toHaveLength(2);
      const deployAlert = before.find((a) => a.title.includes('deploy')) as (typeof before)[number];
      await store.changeAlert(deployAlert.id, {
        at: 1,
        actor: 'ana',
        action: 'acknowledge',
        status: 'acknowledged',
      });
      await ingest(store, [createLocalSource([file('hops.json', [hop1, hop2])])], { detection: { rules } });
      const after = await store.alerts({});
      expect(after.map((a) => [a.title, a.status, a.count]).sort()).toEqual(
        [
          ['Buckets listed by alice', 'open', 3],
          [deployAlert.title, 'acknowledged', deployAlert.count],
        ].sort(),
      );
    } finally {
      await store.close();
    }
  });
});
