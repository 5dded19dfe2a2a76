import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../../console/src/screens/usage/csv.ts';

describe('usage CSV cells', () => {
  it('quotes fields with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1+cmd')).toBe("'+1+cmd");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
  });

  it('leaves plain numbers, including negative ones, as numbers', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('-0.000000001')).toBe('-0.000000001');
    expect(csvCell(42)).toBe('42');
  });

  it('writes null and undefined as empty cells and ends rows with CRLF', () => {
    expect(csvRow(['a', null, undefined, 3])).toBe('a,,,3\r\n');
  });
});
