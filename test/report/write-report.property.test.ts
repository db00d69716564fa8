import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startsLikeFormula, writeReport } from '../../src/report/index.js';
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

function expectedCell(value: string): string {
  return startsLikeFormula(value) ? `'${value}` : value;
}
