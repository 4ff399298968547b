// The escaping function every ClickHouse value goes through: exact literals, checked against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/demo/random.js';
import { connect, type Connection } from '../../src/storage/clickhouse/client.js';
import { dateTime, sqlList, sqlValue } from '../../src/storage/clickhouse/sql.js';
import { hasClickhouse, startClickhouse, type ClickhouseServer } from '../helpers/clickhouse-server.js';

describe('sqlValue', () => {
  it('quotes text, escaping quotes, backslashes and control characters', () => {
    expect(sqlValue("it's")).toBe("'it\\'s'");
    expect(sqlValue('a\\b')).toBe("'a\\\\b'");
    expect(sqlValue("\\'")).toBe("'\\\\\\''");
    expect(sqlValue('a\nb\0c')).toBe("'a\\x0Ab\\x00c'");
    expect(sqlValue('héllo 😀')).toBe("'héllo 😀'");
  });

  it('writes numbers, booleans, null, arrays, bytes and times', () => {
    expect(sqlValue(42)).toBe('42');
    expect(sqlValue(-1.5)).toBe('-1.5');
    expect(sqlValue(2n ** 63n - 1n)).toBe('9223372036854775807');
    expect(sqlValue(true)).toBe('1');
    expect(sqlValue(null)).toBe('NULL');
    expect(sqlValue(undefined)).toBe('NULL');
    expect(sqlValue(['a', null, 3])).toBe("['a', NULL, 3]");
    expect(sqlValue(new Uint8Array([0x41, 0x27, 0x00, 0xff]))).toBe("'A\\'\\x00\\xFF'");
    expect(sqlValue(dateTime(Date.parse('2024-05-01T12:34:56.789Z')))).toBe(
      "toDateTime('2024-05-01 12:34:56', 'UTC')",
    );
    expect(sqlList(['a', 'b'])).toBe("('a', 'b')");
  });

  it('refuses values SQL cannot hold exactly', () => {
    expect(() => sqlValue(Number.NaN)).toThrow(/finite/);
    expect(() => sqlValue(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => sqlValue(dateTime(Date.parse('1960-01-01T00:00:00Z')))).toThrow(/DateTime range/);
    expect(() => sqlList([])).toThrow(/empty/);
    expect(() => sqlValue({} as unknown as string)).toThrow(/unsupported/);
  });

  it('replaces lone surrogates, which UTF-8 cannot encode, with U+FFFD', () => {
    expect(sqlValue('a\uD800b')).toBe("'a\uFFFDb'");
    expect(sqlValue('\uDC00')).toBe("'\uFFFD'");
  });
});

const PIECES = [
  "'",
  '\\',
  "\\'",
  "''",
  '\\\\',
  '\0',
  '\n',
  '\r',
  '\t',
  '\x07',
  '\x1b',
  '\x7f',
  '"',
  '`',
  '%',
  '_',
  '?',
  '{s:String}',
  '$1',
  '; DROP TABLE x; --',
  '/*',
  '*/',
  'é',
  '中文',
  '😀',
  '\u2028',
  '\uFEFF',
  '\u0085',
  ' ',
  'a',
  'Z9',
  '\\x41',
  '\\0',
  '\\N',
];

function hostile(rng: Rng): string {
  const n = rng.int(0, 23);
  let out = '';
  for (let i = 0; i < n; i++) out += rng.pick(PIECES);
  return out;
}

const runs = hasClickhouse();

describe.skipIf(!runs)('sqlValue round trip through ClickHouse', () => {
  let server: ClickhouseServer;
  let conn: Connection;
  beforeAll(async () => {
    server = await startClickhouse();
    conn = connect({ url: server.url, username: 'default', password: '' });
  });
  afterAll(async () => {
    await conn?.close();
    await server?.stop();
  });

  const selectOne = async (expression: string): Promise<unknown> => {
    const [row] = await conn.rows(`SELECT ${expression} AS v`);
    return row?.v;
  };

  it('returns 2,000 hostile strings exactly as they went in', async () => {
    const rng = createRng(8);
    const inputs = Array.from({ length: 2000 }, () => hostile(rng));
    for (let i = 0; i < inputs.length; i += 500) {
      const chunk = inputs.slice(i, i + 500);
      expect(await selectOne(sqlValue(chunk))).toEqual(chunk);
    }
    for (const s of inputs.slice(0, 50)) expect(await selectOne(sqlValue(s))).toBe(s);
  });

  it('returns long strings and every byte value exactly', async () => {
    const rng = createRng(16);
    let long = '';
    while (long.length < 1_000_000) long += hostile(rng);
    expect(await selectOne(sqlValue(long))).toBe(long);
    const bytes = new Uint8Array(256 * 4).map((_, i) => i % 256);
    expect(await selectOne(`hex(${sqlValue(bytes)})`)).toBe(Buffer.from(bytes).toString('hex').toUpperCase());
    const ascii = Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).join('');
    expect(await selectOne(sqlValue(ascii))).toBe(ascii);
  });

  it('returns numbers, arrays, nulls and times exactly', async () => {
    expect(await selectOne(sqlValue(-123456789))).toBe(-123456789);
    expect(await selectOne(`toString(${sqlValue(2n ** 63n - 1n)})`)).toBe('9223372036854775807');
    expect(await selectOne(sqlValue(0.1))).toBe(0.1);
    expect(await selectOne(sqlValue(['x', null, "'"]))).toEqual(['x', null, "'"]);
    expect(await selectOne(sqlValue(null))).toBeNull();
    const t = Date.parse('2024-05-01T23:59:59.900Z');
    expect(Number(await selectOne(`toUnixTimestamp(${sqlValue(dateTime(t))})`)) * 1000).toBe(t - 900);
  });

  it('keeps a hostile value a value: it never becomes SQL', async () => {
    await conn.run('CREATE TABLE probe (s String) ENGINE = Memory');
    const evil = ["x'); DROP TABLE probe; --", "\\'); DROP TABLE probe; --", 'a\\', "'"];
    await conn.insert(
      'probe',
      ['s'],
      evil.map((s) => [s]),
    );
    const rows = await conn.rows(`SELECT s FROM probe WHERE s IN ${sqlList(evil)} ORDER BY s`);
    expect(rows.map((r) => r.s)).toEqual([...evil].sort());
  });
});
