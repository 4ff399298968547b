// Two writers planning the ledger at once: each stored row is settled after its own write, so the
// session one writer stored without its parent is resolved once the other writer's parent is there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredCredential } from '../../src/domain/identity.js';
import { planLedger, settleLedger } from '../../src/identity/ledger.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import type { Store } from '../../src/storage/port.js';
import { iamUser, ownerCopy, roleSession, stsCall } from '../helpers/identity-records.js';
import { event, objectRecord } from '../helpers/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-settle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = '111111111111';
const B = '222222222222';

const noCopies = () => Promise.resolve([]);

async function write(store: Store, rows: StoredCredential[]): Promise<void> {
  await store.appendBatch({ objects: [], events: [], quarantine: [], credentials: rows, matches: [] });
}

describe('settling the ledger after concurrent writers', () => {
  const parent = stsCall('AssumeRole', iamUser(A, 'alice', 'AKIAALICE'), 'ASIAPARENT', {
    account: A,
    role: 'Admin',
    session: 'alice',
  });
  const child = stsCall('AssumeRole', roleSession(A, 'Admin', 'alice', 'ASIAPARENT'), 'ASIACHILD', {
    account: B,
    roleAccount: B,
    role: 'Deploy',
    session: 'hop',
    minute: 2,
  });

  for (const order of ['parent written first', 'child written first'] as const)
    it(`resolves the child through the parent (${order}), whichever writer checks`, async () => {
      const store = await openDuckDbStore(path.join(dir, `${order.split(' ')[0]}.duckdb`));
      // Both writers plan before either writes: the child's writer does not know the parent yet.
      const byA = await planLedger([event(parent, 'a', 0)], store);
      const byB = await planLedger([event(child, 'b', 0)], store);
      expect(byB.rows[0]?.resolution.origin.name).not.toBe('alice');
      const [first, second] = order === 'parent written first' ? [byA, byB] : [byB, byA];
      await write(store, first.rows);
      expect(await settleLedger(first.rows, store, noCopies)).toEqual([]);
      await write(store, second.rows);
      const settled = await settleLedger(second.rows, store, noCopies);
      expect(settled.map((r) => r.accessKeyId)).toEqual(['ASIACHILD']);
      await write(store, settled);
      const row = (await store.credentials(['ASIACHILD'])).get('ASIACHILD');
      expect(row?.resolution.origin).toMatchObject({ type: 'IAMUser', name: 'alice' });
      expect(row?.resolution.chain.map((h) => h.accessKeyId)).toEqual(['ASIAPARENT', 'ASIACHILD']);
      await store.close();
    });

  it("keeps the caller's copy of a cross-account call when the other writer stored the owner's copy last", async () => {
    const store = await openDuckDbStore(path.join(dir, 'copies.duckdb'));
    const callerCopy = stsCall('AssumeRole', iamUser(A, 'alice', 'AKIAALICE'), 'ASIACROSS', {
      account: A,
      roleAccount: B,
      role: 'Audit',
      session: 'alice',
      shared: 'shared-1',
    });
    const owner = event(ownerCopy(callerCopy, A, B), 'b', 0);
    const caller = event(callerCopy, 'a', 0);
    const byA = await planLedger([caller], store);
    const byB = await planLedger([owner], store);
    const copies = (ids: string[]) => store.searchEvents({ sharedEventIds: ids });
    const batch = (o: string, e: typeof caller, rows: StoredCredential[]) =>
      store.appendBatch({
        objects: [objectRecord(o)],
        events: [e],
        quarantine: [],
        credentials: rows,
        matches: [],
      });
    // A writes and checks before B writes: only B's check can see both copies.
    await batch('a', caller, byA.rows);
    expect(await settleLedger(byA.rows, store, copies)).toEqual([]);
    await batch('b', owner, byB.rows);
    expect((await store.credentials(['ASIACROSS'])).get('ASIACROSS')?.resolution.origin.name).not.toBe(
      'alice',
    );
    const settled = await settleLedger(byB.rows, store, copies);
    await write(store, settled);
    const row = (await store.credentials(['ASIACROSS'])).get('ASIACROSS');
    expect(row?.eventId).toBe(caller.eventId);
    expect(row?.resolution.origin).toMatchObject({ type: 'IAMUser', name: 'alice' });
    await store.close();
  });
});
