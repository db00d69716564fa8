import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS, defuseFormula, reportRowCells, startsLikeFormula, writeReport } from '../../src/report/index.js';
import { makeTempDir, readReport, removeDir, sampleRow } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeDir(dir);
});

/** Text of every kind a server could send, formula starters and CSV specials over-represented. */
const cellText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', ';', "'", ' ', 'a', '\uFF1D', '\uFEFF'),
    maxLength: 12,
  }),
);

describe('writeReport round trip', () => {
  it('reads back every cell as written, or defused with a leading quote', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cellText, cellText), { minLength: 1, maxLength: 5 }), async (cells) => {
        const path = join(dir, 'prop.report.csv');
        const rows = cells.map(([code, note], index) => sampleRow({ code, note, row: index + 2 }));
        await writeReport(path, rows);
        const records = (await readReport(path)).slice(1);
        expect(records).toHaveLength(rows.length);
        records.forEach((record, index) => {
          const [code, note] = cells[index] ?? ['', ''];
          expect(record[4]).toBe(expectedCell(code));
          expect(record[13]).toBe(expectedCell(note));
        });
      }),
      { numRuns: 150, seed: 20240501 },
    );
  });
});

describe('writeReport bytes', () => {
  it('are what csv-stringify wrote with the options the report used, chunk boundaries included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cellText, cellText, fc.string({ unit: 'binary', maxLength: 300 })), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 0, max: 3_000 }),
        async (cells, plainRows) => {
          const path = join(dir, 'bytes.report.csv');
          // Plain rows first push the odd ones across the writer's 256 KB chunk boundaries.
          const rows = [
            ...Array.from({ length: plainRows }, (_, index) => sampleRow({ row: index + 2 })),
            ...cells.map(([code, note, model], index) => sampleRow({ code, note, model, row: index + 2 })),
          ];
          await writeReport(path, rows);
          const library = stringify([[...REPORT_COLUMNS], ...rows.map(reportRowCells)].map((record) => record.map(defuseFormula)), {
            bom: true,
            record_delimiter: 'windows',
            quote_record_delimiter: true,
            escape_formulas: false,
          });
          expect((await readFile(path)).equals(Buffer.from(library, 'utf8'))).toBe(true);
        },
      ),
      { numRuns: 40, seed: 20260303 },
    );
  });
});

function expectedCell(value: string): string {
  return startsLikeFormula(value) ? `'${value}` : value;
}
