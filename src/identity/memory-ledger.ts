// A ledger held in memory: for rule tests and other runs that have no store.
import type { StoredCredential } from '../domain/identity.js';
import type { LedgerPort } from './ledger.js';

export function createMemoryLedger(): LedgerPort & { apply(rows: readonly StoredCredential[]): void } {
  const rows = new Map<string, StoredCredential>();
  return {
    credentials: (keys) =>
      Promise.resolve(
        new Map(keys.flatMap((k) => (rows.has(k) ? [[k, rows.get(k) as StoredCredential]] : []))),
      ),
    credentialChildren: (parents) =>
      Promise.resolve(
        [...rows.values()].filter(
          (r) => r.caller.accessKeyId !== null && parents.includes(r.caller.accessKeyId),
        ),
      ),
    apply(updates) {
      for (const r of updates) rows.set(r.accessKeyId, r);
    },
  };
}
