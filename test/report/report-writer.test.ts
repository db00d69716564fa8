import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportRow } from '../../src/report/columns.js';
import { PLAIN_LAYOUT } from '../../src/report/report-layout.js';
import { writeReportFiles } from '../../src/report/report-writer.js';
import { inThreadWorkbooks, type WorkbookSinks } from '../../src/report/workbook-sink.js';

const row = (n: number): ReportRow => ({
  service: 'Checker',
  imei: String(353979106673567 + n),
  credits: '$0.08',
  status: 'Pending',
  code: '',
  imei2: '',
  carrier: '',
  simlock: '',
  model: '',
  fmi: '',
  orderDate: '',
  orderId: String(n),
  row: n + 2,
  note: '',
});

/** Workbooks that fail after `rows` rows, as a full disk or a dead thread would. */
function failingAfter(rows: number): WorkbookSinks {
  return {
    async open(path, layout) {
      const book = await inThreadWorkbooks.open(path, layout);
      let taken = 0;
      return {
        addRow: (cells) => (++taken > rows ? Promise.reject(new Error('no space left on device')) : book.addRow(cells)),
        finish: () => book.finish(),
        abandon: () => book.abandon(),
      };
    },
  };
}

describe('writing the reports', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-report-writer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the CSV when the workbook fails, and removes an older workbook rather than leave it stale', async () => {
    const target = { csv: join(dir, 'a.report.csv'), workbook: join(dir, 'a.report.xlsx') };
    await writeFile(target.workbook, 'an older workbook');
    const rows = Array.from({ length: 3000 }, (_, n) => row(n));
    const written = await writeReportFiles(target, PLAIN_LAYOUT, rows, failingAfter(1000));
    expect(written).toEqual({ rows: 3000, workbookError: 'no space left on device' });
    expect((await readFile(target.csv, 'utf8')).trim().split('\r\n')).toHaveLength(3001);
    expect(existsSync(target.workbook)).toBe(false);
    // Nothing temporary is left behind.
    expect((await import('node:fs')).readdirSync(dir)).toEqual(['a.report.csv']);
  });

  it('writes both when the workbook works', async () => {
    const target = { csv: join(dir, 'b.report.csv'), workbook: join(dir, 'b.report.xlsx') };
    expect(await writeReportFiles(target, PLAIN_LAYOUT, [row(1)])).toEqual({ rows: 1, workbookError: undefined });
    expect(existsSync(target.workbook)).toBe(true);
  });
});
