import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/report/csv-line.js';
import { REPORT_COLUMNS, defuseFormula } from '../../src/report/index.js';

/** The options the report was written with through csv-stringify; csv-line.ts must match them. */
const LIBRARY_OPTIONS = {
  record_delimiter: 'windows',
  quote_record_delimiter: true,
  escape_formulas: false,
} as const;

/** What csv-stringify writes for one record of defused cells. */
function libraryLine(cells: readonly string[]): string {
  return stringify([cells.map(defuseFormula)], LIBRARY_OPTIONS);
}

/** Text of every kind: CSV specials, formula starters, unicode, lone surrogates. */
const cellText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({
    unit: fc.constantFrom(
      '=', '+', '-', '@', '\t', '\r', '\n', '\r\n', '"', '""', ',', ';', "'", ' ', 'a', '1',
      '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', '\uFEFF', '\u00A0', '\uD83D', '\uDE00', '\uD83D\uDE00',
    ),
    maxLength: 12,
  }),
);

describe('csvLine', () => {
  it('writes what csv-stringify writes with the report options', () => {
    fc.assert(
      fc.property(fc.array(cellText, { minLength: 1, maxLength: 14 }), (cells) => {
        expect(csvLine(cells)).toBe(libraryLine(cells));
      }),
      { numRuns: 2_000, seed: 20260301 },
    );
  });

  it('writes one cell as csv-stringify does', () => {
    fc.assert(
      fc.property(cellText, (cell) => {
        expect(`${csvCell(cell)}\r\n`).toBe(libraryLine([cell]));
      }),
      { numRuns: 2_000, seed: 20260302 },
    );
  });

  it('writes the header as csv-stringify does', () => {
    expect(csvLine(REPORT_COLUMNS)).toBe(libraryLine(REPORT_COLUMNS));
  });

  it.each([
    ['', ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['\rstarts with CR', `"'\rstarts with CR"`],
  ])('writes %j as %j', (cell, expected) => {
    expect(csvCell(cell)).toBe(expected);
  });
});
