// The free-text index (storage/duckdb/text-index.ts): it narrows what a search reads, never what it finds.
import { blobValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/demo/random.js';
import type { CloudTrailEvent } from '../../src/domain/event.js';
import { costlyRowIds } from '../../src/storage/duckdb/search.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import {
  blockConditions,
  blockFilter,
  BLOCK_ROWS,
  findTextBlocks,
  GRAM,
  gramBits,
  gramsOf,
  needleParts,
  partPattern,
  tooManyBlocks,
  trustedGrams,
} from '../../src/storage/duckdb/text-index.js';
import type { Store } from '../../src/storage/port.js';
import { event, objectRecord } from '../helpers/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-text-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.parse('2024-03-01T00:00:00Z');

const WORDS = [
  'alpha',
  'beta',
  'Gamma',
  'delta-epsilon',
  'zeta/eta',
  'theta_iota',
  'kappa:lambda',
  'Mu.Nu',
  'été',
];

/** Day `d`'s events: common words, and `planted` words at the given indexes. */
function day(d: number, n: number, planted: Record<number, string> = {}): CloudTrailEvent[] {
  const rng = createRng(d + 1);
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 4 }, () => rng.pick(WORDS));
    return event(
      {
        eventID: `t${d}-${i}`,
        // hexadecimal, as AWS writes them: stored in the ids column, which the index leaves out too
        requestID: `${rng.int(0, 0xffffff).toString(16)}-${(d * 100_000 + i).toString(16)}`,
        eventTime: new Date(T0 + d * DAY + i * 10).toISOString(),
        requestParameters: { note: [...words, planted[i] ?? `n${rng.int(0, 999_999)}`].join(' ') },
      },
      `day${d}`,
      i,
    );
  });
}

async function append(store: Store, events: CloudTrailEvent[], name: string): Promise<void> {
  for (let at = 0; at < events.length; at += 25_000) {
    const part = events.slice(at, at + 25_000);
    await store.appendBatch({
      objects: [objectRecord(`${name}-${at}`, { records: part.length })],
      events: part,
      quarantine: [],
      credentials: [],
      matches: [],
    });
  }
}

const found = async (store: Store, text: string): Promise<string[]> =>
  (await store.searchEvents({ text, limit: 100_000 })).map((e) => e.eventId).sort();

const having = (events: CloudTrailEvent[], text: string): string[] =>
  events
    .filter((e) => JSON.stringify(e.requestParameters).toLowerCase().includes(text.toLowerCase()))
    .map((e) => e.eventId)
    .sort();

async function rowIds(
  conn: DuckDBConnection,
  text: string,
  indexed: number | null,
  ranges?: number,
): Promise<number[]> {
  const blocks = indexed === null ? null : await findTextBlocks(conn, text, indexed);
  const q = costlyRowIds({ text }, 0, Number.MAX_SAFE_INTEGER, blocks ?? undefined, ranges);
  if (!q) throw new Error('free text has a costly condition');
  const r = await conn.runAndReadAll(q.sql, q.params);
  return r
    .getRowsJS()
    .map(([id]) => Number(id))
    .sort((a, b) => a - b);
}

describe('the free-text index', () => {
  it('splits a needle into the parts a block must hold, each with the separators around it', () => {
    expect(needleParts('backup-admin')).toEqual([
      { word: 'backup', isStart: false, isEnd: true },
      { word: 'admin', isStart: true, isEnd: false },
    ]);
    expect(needleParts('/a:b9/')).toEqual([
      { word: 'a', isStart: true, isEnd: true },
      { word: 'b9', isStart: true, isEnd: true },
    ]);
    expect(needleParts('::/')).toEqual([]);
    expect(needleParts('été')).toEqual([{ word: 't', isStart: true, isEnd: true }]);
    // of 15 blocks and the rest, three are worth reading alone, four are not
    expect(tooManyBlocks(15)).toBe(4);
    // candidate blocks as seq ranges, adjacent ones merged, the unindexed rows last
    const at = (b: number): number => b * BLOCK_ROWS;
    expect(blockConditions({ bits: '0110100011', candidates: 5, by: 'words' })).toEqual([
      `seq >= ${at(1)} AND seq < ${at(3)}`,
      `seq >= ${at(4)} AND seq < ${at(5)}`,
      `seq >= ${at(8)}`,
    ]);
    expect(blockConditions({ bits: '0001', candidates: 0, by: 'words' })).toEqual([`seq >= ${at(3)}`]);
    expect(blockConditions({ bits: '0110100011', candidates: 5, by: 'words' }, 3)).toHaveLength(3);
    expect(blockConditions({ bits: '0110100011', candidates: 5, by: 'words' }, 2)).toEqual([
      blockFilter({ bits: '0110100011', candidates: 5, by: 'words' }),
    ]);
    expect(['backup-admin', 'x.y.z', 'plain'].map((n) => needleParts(n).map(partPattern))).toEqual([
      ['backup ', ' admin'],
      ['x ', ' y ', ' z'],
      ['plain'],
    ]);
  });

  it(
    'reads only the blocks that hold the words, and finds what reading every row finds',
    { timeout: 60_000 },
    async () => {
      const file = path.join(dir, 'narrow.duckdb');
      const planted = { 10: 'Rare-Word/Qx7', 5_000: 'rare-word/qx7 again', 6_900: 'prefix-rare-wordy' };
      // One user agent, in the context column, planted in block 0.
      const events = day(0, 7_000, planted).map((e, i) =>
        i === 20 ? { ...e, userAgent: 'Scanner-Qz/1.0' } : e,
      );
      const store = await openDuckDbStore(file);
      await append(store, events, 'day0');
      for (const text of [
        'rare-word',
        'RARE-WORD/QX',
        'word/qx7',
        'are-wor',
        'Qx7 again',
        'been-nowhere',
        'été',
      ])
        expect(await found(store, text), text).toEqual(having(events, text));
      expect(await found(store, 'SCANNER-qz/1')).toEqual(['t0-20']);
      await store.close();

      const instance = await DuckDBInstance.create(file);
      const conn = await instance.connect();
      // 7,000 rows: three whole blocks indexed; the rest is read in full.
      const blocks = await conn.runAndReadAll('SELECT block FROM text_blocks ORDER BY block');
      expect(blocks.getRowsJS().map(([b]) => Number(b))).toEqual([0, 1, 2]);
      const indexed = Math.floor(7_000 / BLOCK_ROWS);
      const rare = await findTextBlocks(conn, 'RARE-word/qx7', indexed);
      // block 0 (row 10) and block 2 (row 5,000); 'wordy' at 6,900 is past the indexed blocks
      expect(rare?.bits).toBe('1011');
      expect(rare?.candidates).toBe(2);
      expect(await findTextBlocks(conn, '-/-', indexed)).toBeNull();
      // two candidates are too many when one is the most worth reading
      expect(await findTextBlocks(conn, 'rare-word/qx7', indexed, 2)).toBeNull();
      expect((await findTextBlocks(conn, 'rare-word/qx7', indexed, 3))?.bits).toBe('1011');

      // Random needles cut from the stored text itself, in random letter case: the same rows either way.
      // Cut from each column: the rest, narrowed by the index, and the context and ids, read whole.
      const sample = (column: string, rows: number, seed: number): string =>
        `SELECT * FROM (SELECT ${column} FROM events WHERE ${column} <> '') USING SAMPLE reservoir(${rows} ROWS) REPEATABLE (${seed})`;
      const texts = await conn.runAndReadAll(
        [sample('search_rest', 40, 7), sample('search_context', 10, 8), sample('search_ids', 10, 9)].join(
          ' UNION ALL ',
        ),
      );
      expect(texts.currentRowCount).toBe(60);
      const rng = createRng(42);
      for (const [t] of texts.getRowsJS()) {
        if (typeof t !== 'string') throw new Error('every sampled event has text');
        const s = t;
        const from = rng.int(0, s.length - 1);
        const cut = s.slice(from, from + rng.int(1, 12));
        const needle = [...cut].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join('');
        const all = await rowIds(conn, needle, null);
        expect(all.length, needle).toBeGreaterThan(0);
        expect(await rowIds(conn, needle, indexed), needle).toEqual(all);
        // the candidate blocks as one filter rather than seq ranges (past RANGED_BLOCKS runs)
        expect(await rowIds(conn, needle, indexed, 0), needle).toEqual(all);
      }
      conn.closeSync();
      instance.closeSync();
    },
  );

  it("sets the bit of every gram of a block's words, as DuckDB's get_bit reads it", async () => {
    const rng = createRng(5);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const words = Array.from({ length: 300 }, () =>
      Array.from({ length: rng.int(1, 14) }, () => rng.pick([...alphabet])).join(''),
    );
    const terms = ` ${words.join(' ')} `;
    const grams = gramsOf(terms);
    const set = (bit: number): boolean => ((grams[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
    // every cut of the words of GRAM characters or more, spaces included, has all its bits set
    for (let i = 0; i < 500; i++) {
      const from = rng.int(0, terms.length - GRAM);
      const cut = terms.slice(from, from + rng.int(GRAM, 20));
      expect(gramBits(cut).every(set), cut).toBe(true);
    }
    expect(gramBits('abc')).toEqual([]);
    // text not in the words: some bit is 0 (a long random word leaves little to chance)
    expect(gramBits(' qqqqzzzzqqqqxxxx9 ').every(set)).toBe(false);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run('CREATE TABLE g (grams BITSTRING)');
    await conn.run('INSERT INTO g VALUES (?::BLOB::BITSTRING)', [blobValue(grams)]);
    const bits = gramBits(terms.slice(0, 40));
    const zero = Array.from({ length: 64 }, (_, i) => i).find((b) => !set(b)) as number;
    const r = await conn.runAndReadAll(
      `SELECT ${[...bits, zero].map((b) => `get_bit(grams, ${b})`).join(', ')} FROM g`,
    );
    expect(r.getRowsJS()[0]).toEqual([...bits.map(() => 1), 0]);
    conn.closeSync();
    instance.closeSync();
  });

  it(
    'answers a long rare text by its grams, a common one by its words, and finds the same rows',
    { timeout: 60_000 },
    async () => {
      const file = path.join(dir, 'grams.duckdb');
      // 20 whole blocks: fewer than 3 candidates are taken from the grams.
      const events = day(0, 20 * BLOCK_ROWS + 100, { 7: 'deletedetector', 30_000: 'DeleteDetector-x' });
      const store = await openDuckDbStore(file);
      await append(store, events, 'day0');
      for (const text of ['deletedetector', 'detector-x', 'alpha', 'kappa:lambda', 'n12'])
        expect(await found(store, text), text).toEqual(having(events, text));
      await store.close();
      const instance = await DuckDBInstance.create(file);
      const conn = await instance.connect();
      const indexed = 20;
      expect(trustedGrams(indexed)).toBe(3);
      const rare = await findTextBlocks(conn, 'DeleteDetector', indexed);
      expect(rare?.by).toBe('grams');
      // blocks 0 and 14 (rows 7 and 30,000), and perhaps one that only seems to hold it
      expect(rare?.bits[0]).toBe('1');
      expect(rare?.bits[Math.floor(30_000 / BLOCK_ROWS)]).toBe('1');
      expect(rare?.candidates).toBeLessThan(3);
      const common = await findTextBlocks(conn, 'kappa:lambda', indexed, 21);
      expect(common?.by).toBe('words');
      expect(common?.candidates).toBe(20);
      // Random needles from the stored rest, by whichever answers: the rows a full read finds.
      const texts = await conn.runAndReadAll(
        `SELECT search_rest FROM events USING SAMPLE reservoir(40 ROWS) REPEATABLE (11)`,
      );
      const rng = createRng(43);
      const by = new Set<string>();
      for (const [t] of texts.getRowsJS()) {
        if (typeof t !== 'string') throw new Error('every sampled event has text');
        const s = t;
        const from = rng.int(0, s.length - 1);
        const needle = s.slice(from, from + rng.int(4, 14));
        by.add((await findTextBlocks(conn, needle, indexed))?.by ?? 'none');
        expect(await rowIds(conn, needle, indexed), needle).toEqual(await rowIds(conn, needle, null));
      }
      expect(by).toContain('grams');
      expect(by).toContain('words');
      conn.closeSync();
      instance.closeSync();
    },
  );

  it(
    'keeps finding the right rows when a prune moves row ids, and catches up on open',
    { timeout: 120_000 },
    async () => {
      const file = path.join(dir, 'prune.duckdb');
      // Appended without the index, as hunt does; the next open fills it.
      let store = await openDuckDbStore(file, Date.now, { textIndex: false });
      // More than a row group (122,880 rows): the checkpoint after the prune reclaims it whole, and
      // the rows after it take lower row ids, where `seq` stays.
      const old = day(0, 125_000, { 3: 'gone-word' });
      await append(store, old, 'day0');
      // Past the newest 32,768 rows that a search reads before it turns to the index (store.ts).
      const kept = day(1, 40_000, { 1_000: 'kept-word', 100: 'gone-word too' });
      await append(store, kept, 'day1');
      await store.close();
      store = await openDuckDbStore(file);
      expect(await found(store, 'gone-word')).toEqual(having([...old, ...kept], 'gone-word'));
      await store.pruneEventsBefore(T0 + DAY);
      const later = day(2, 3_000, { 2_000: 'kept-word later' });
      await append(store, later, 'day2');
      for (const text of ['kept-word', 'gone-word', 'GONE', 'word later'])
        expect(await found(store, text), text).toEqual(having([...kept, ...later], text));
      await store.close();

      // Filled on open for the first 165,000 events, then by the appends; the blocks of pruned
      // events only (the first 61, all of day 0's rows) are gone with them.
      const instance = await DuckDBInstance.create(file);
      const conn = await instance.connect();
      const blocks = await conn.runAndReadAll('SELECT min(block), max(block), count(*) FROM text_blocks');
      const complete = Math.floor((old.length + kept.length + later.length) / BLOCK_ROWS);
      expect(blocks.getRowsJS()[0]?.map(Number)).toEqual([
        Math.floor(old.length / BLOCK_ROWS),
        complete - 1,
        complete - Math.floor(old.length / BLOCK_ROWS),
      ]);
      conn.closeSync();
      instance.closeSync();
    },
  );
});
