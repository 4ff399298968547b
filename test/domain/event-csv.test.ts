// The export's CSV cells: formula starts neutralised with an apostrophe, quoting where needed.
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/domain/event-csv.js';

describe('csv', () => {
  it('neutralises cells that a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-2')).toBe(`"'-2"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
  });

  it('leaves ordinary cells alone and quotes separators', () => {
    expect(csvCell('ConsoleLogin')).toBe('ConsoleLogin');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(false)).toBe('false');
    expect(csvCell(-3)).toBe(`"'-3"`);
    expect(csvLine(['a', null, '=1'])).toBe(`a,,"'=1"`);
  });
});
