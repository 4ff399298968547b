// The free-text index: per block of 2,048 stored events, the distinct words of their `search_rest`.
import { blobValue, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Free text is a substring of an event's lowercased text, and `search_rest` (columns.ts) is most of
 * it: ~350 bytes an event of JSON blocks and keys, read in full by every search (~1.4 s at 10M
 * events, nearly all of it decompression). Its words (maximal runs of a-z and 0-9) repeat within a
 * block of consecutive events, so the distinct words of each block take a tenth of the text (~35
 * bytes an event at 1M). A search reads them first and then only the blocks that hold every word
 * of the needle (docs/performance.md).
 *
 * Blocks are numbered by `seq`, which the store gives each event as it appends it (a row id would
 * move when DuckDB reclaims deleted rows); a block is indexed once every event of it is stored, so
 * only the newest partial block is left to read in full. 2,048 rows is one DuckDB vector: a block
 * read costs the decompression of the vectors it touches whatever their size.
 */
export const BLOCK_BITS = 11;
export const BLOCK_ROWS = 2 ** BLOCK_BITS;

/** The words of a text as the index splits it: runs of a-z and 0-9 (DuckDB's lower() applied before). */
const SPLIT = `'[^a-z0-9]+'`;

/** Blocks indexed per statement, so that one statement's memory stays small (the catch-up on open). */
const BLOCKS_PER_STATEMENT = 64;

/**
 * Each block's words are also summed up in a bit string of GRAM_BITS bits (`grams`, migration
 * 14): the bit of every GRAM characters of its words (' word word … ', the spaces included) is 1.
 * Text a block holds has all its grams' bits set there, so a block with one of them 0 cannot hold
 * it. Asking the words takes `contains` over all of them (32.8 MB at 1M, 17-25 ms; 331 MB at 10M,
 * 150-540 ms); the bits are 16 KB a block (8 MB at 1M, ~3 ms; ~20 ms at 10M) and a long word's
 * grams are seldom all set where it is not: 'deletedetector' is in no block of the bench's 1M
 * store, and its 11 grams are all set in 7 of 488. Short parts have few grams, and common ones
 * are in most blocks anyway: there the words answer (findTextBlocks).
 */
export const GRAM = 4;
export const GRAM_BITS = 2 ** 17;

/** The bit of the GRAM characters of `text` at `at` (ASCII: the index's words are a-z and 0-9). */
function gramBit(text: string, at: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < at + GRAM; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  // fmix32 (MurmurHash3): FNV's low bits alone spread the few characters of a gram poorly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) & (GRAM_BITS - 1);
}

/** The distinct bits of the grams of `text` (none when it is shorter than GRAM). */
export function gramBits(text: string): number[] {
  const bits = new Set<number>();
  for (let at = 0; at + GRAM <= text.length; at++) bits.add(gramBit(text, at));
  return [...bits];
}

/** A block's `grams` as the bytes of a BLOB cast to BITSTRING (bit 0 is the first byte's highest). */
export function gramsOf(terms: string): Uint8Array {
  const bytes = new Uint8Array(GRAM_BITS / 8);
  for (let at = 0; at + GRAM <= terms.length; at++) {
    const bit = gramBit(terms, at);
    bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  }
  return bytes;
}

/**
 * Indexes the blocks [from, to): one row each with words, ' word word … ', and their grams; a
 * block of none has no row. Outside a transaction each statement's blocks are kept as it ends, so
 * an interrupted catch-up goes on from there.
 */
export async function indexTextBlocks(conn: DuckDBConnection, from: number, to: number): Promise<void> {
  for (let at = Math.floor(from); at < to; at += BLOCKS_PER_STATEMENT) {
    const end = Math.min(at + BLOCKS_PER_STATEMENT, Math.floor(to));
    const words = await conn.runAndReadAll(`
      SELECT block, ' ' || string_agg(word, ' ') || ' ' AS terms
      FROM (SELECT DISTINCT block, unnest(string_split_regex(text, ${SPLIT})) AS word
            FROM (SELECT DISTINCT seq >> ${BLOCK_BITS} AS block, search_rest AS text FROM events
                  WHERE seq >= ${at * BLOCK_ROWS} AND seq < ${end * BLOCK_ROWS}
                    AND search_rest IS NOT NULL))
      WHERE word <> ''
      GROUP BY block`);
    const rows = words.getRowObjectsJS().map((r) => ({ block: Number(r.block), terms: r.terms as string }));
    if (!rows.length) continue;
    await conn.run(
      `INSERT INTO text_blocks VALUES ${rows.map(() => '(?, ?, ?::BLOB::BITSTRING)').join(', ')}`,
      rows.flatMap((r) => [r.block, r.terms, blobValue(gramsOf(r.terms))]),
    );
  }
}

/** One alphanumeric part of a needle: whether the needle has other characters right before and after it. */
export interface NeedlePart {
  word: string;
  isStart: boolean;
  isEnd: boolean;
}

/**
 * The parts of a lowercased needle. Wherever the needle occurs in a text, a part that the needle
 * has a separator before starts one of the text's words, one with a separator after ends one, and
 * every part lies within one word; so each part, with its separators, is in the block's words.
 */
export function needleParts(needle: string): NeedlePart[] {
  const parts: NeedlePart[] = [];
  for (const m of needle.matchAll(/[a-z0-9]+/g)) {
    const end = m.index + m[0].length;
    parts.push({ word: m[0], isStart: m.index > 0, isEnd: end < needle.length });
  }
  return parts;
}

/** The pattern a block's words contain when a part of a needle can be in its text. */
export const partPattern = (p: NeedlePart): string => `${p.isStart ? ' ' : ''}${p.word}${p.isEnd ? ' ' : ''}`;

/**
 * The blocks of `search_rest` a free-text search must read, as a bit string over the indexed
 * blocks plus one: bit i (block i) is 1 when the block may hold the text; the last bit stands for
 * every row from the first unindexed block on, always read. `candidates` counts the 1 bits.
 */
export interface TextBlocks {
  bits: string;
  candidates: number;
  /** What found them: the blocks' grams alone, or their words. */
  by: 'grams' | 'words';
}

/**
 * The blocks of the first `indexed` that may hold `text`; null when the index cannot narrow the
 * search (the text has no letter or digit, or nothing is indexed) or finds `most` blocks or more
 * (it stops reading there: a common word is in the first blocks it reads). The grams answer when
 * they leave fewer than trustedGrams blocks: reading an eighth of the blocks costs about what
 * asking the words does, so a few blocks that only seem to hold the text cost less than asking
 * the words. Otherwise the words answer.
 */
export async function findTextBlocks(
  conn: DuckDBConnection,
  text: string,
  indexed: number,
  most = Infinity,
): Promise<TextBlocks | null> {
  if (indexed <= 0) return null;
  // The needle is lowercased by DuckDB, as the stored text was, so that both split alike.
  const lowered = await conn.runAndReadAll('SELECT lower(?) AS t', [text]);
  const t = lowered.getRowObjectsJS()[0]?.t;
  const parts = needleParts(typeof t === 'string' ? t : '');
  if (!parts.length) return null;
  const patterns = parts.map(partPattern);
  const bits = [...new Set(patterns.flatMap(gramBits))];
  const trusted = Math.min(most, trustedGrams(indexed));
  if (bits.length) {
    const byGrams = await blocksWhere(
      conn,
      indexed,
      bits.map((b) => `get_bit(grams, ${b}) = 1`).join(' AND '),
      [],
      trusted,
    );
    if (byGrams.length < trusted) return textBlocks(byGrams, indexed, 'grams');
  }
  const byWords = await blocksWhere(
    conn,
    indexed,
    patterns.map(() => 'contains(terms, ?)').join(' AND '),
    patterns,
    most,
  );
  return byWords.length >= most ? null : textBlocks(byWords, indexed, 'words');
}

/** Below this many candidates (of `indexed` blocks) the grams' answer is taken as it is: an eighth. */
export const trustedGrams = (indexed: number): number => Math.ceil((indexed + 1) / 8);

async function blocksWhere(
  conn: DuckDBConnection,
  indexed: number,
  where: string,
  params: string[],
  most: number,
): Promise<number[]> {
  const limit = Number.isFinite(most) ? ` LIMIT ${Math.max(1, Math.floor(most))}` : '';
  const r = await conn.runAndReadAll(
    `SELECT block FROM text_blocks WHERE block < ${Math.floor(indexed)} AND ${where}${limit}`,
    params,
  );
  return r.getRowsJS().map(([block]) => Number(block));
}

function textBlocks(blocks: number[], indexed: number, by: TextBlocks['by']): TextBlocks {
  const bits = new Array<string>(indexed + 1).fill('0');
  bits[indexed] = '1';
  let candidates = 0;
  for (const block of blocks) {
    if (bits[block] === '1') continue;
    bits[block] = '1';
    candidates++;
  }
  return { bits: bits.join(''), candidates, by };
}

/**
 * The fewest candidates among `indexed` blocks not worth reading on their own, one in four: a
 * narrowed search reads the text's other columns in a second scan, and reading a block costs about
 * as much as the vector it fills, so text spread thinly over the store saves little (at 10M, a term
 * in 4,408 events over 23% of the blocks read them in ~1.1 s against ~1.4 s for every row, and its
 * other columns ~0.15 s more; its page took 1.7 s so, 1.9 s falling back to every row after the
 * lookup). A common word reaches the limit early in the lookup, which then stops.
 */
export const tooManyBlocks = (indexed: number): number => Math.ceil((indexed + 1) / 4);

/**
 * The condition that keeps only the rows of candidate blocks: one expression on one column, which
 * DuckDB evaluates in the scan before it reads (and decompresses) `search_rest` for what is left.
 */
export function blockFilter(blocks: TextBlocks): string {
  const last = blocks.bits.length - 1;
  return `get_bit('${blocks.bits}'::BITSTRING, least(seq >> ${BLOCK_BITS}, ${last})::INTEGER) = 1`;
}

/**
 * Up to this many ranges of candidate blocks, `search_rest` is read by one SELECT per range: a
 * range of `seq` lets zone maps skip every row group outside it, where blockFilter's expression is
 * computed for every row (at 10M, 63 ms with no candidate left). Past it, one filter is cheaper. At
 * 10M, for a rare word: no range but the unindexed rows 63 -> 1 ms, 3 ranges 64 -> 4 ms, 30 ranges
 * 73 -> 40 ms; at 100 ranges the filter's 107 ms beat 128 ms.
 */
export const RANGED_BLOCKS = 48;

/**
 * The conditions that keep the rows of candidate blocks, each read by its own SELECT: one `seq`
 * range per run of adjacent candidates (the last open-ended, for the rows not yet indexed), or
 * blockFilter alone when there are more than `most` runs.
 */
export function blockConditions(blocks: TextBlocks, most = RANGED_BLOCKS): string[] {
  const ranges: string[] = [];
  const last = blocks.bits.length - 1;
  for (let b = 0; b <= last; b++) {
    if (blocks.bits[b] !== '1') continue;
    let end = b;
    while (end < last && blocks.bits[end + 1] === '1') end++;
    const from = `seq >= ${b * BLOCK_ROWS}`;
    ranges.push(end === last ? from : `${from} AND seq < ${(end + 1) * BLOCK_ROWS}`);
    if (ranges.length > most) return [blockFilter(blocks)];
    b = end;
  }
  return ranges;
}
