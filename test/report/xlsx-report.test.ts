import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XlsxReportWriter, textXml, type XlsxReportOptions } from '../../src/report/xlsx-report.js';
import { readWorkbook } from './workbook-rows.js';

describe('the report workbook', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-xlsx-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(rows: string[][], options: Partial<XlsxReportOptions> = {}): Promise<string> {
    const path = join(dir, `${rows.length}.xlsx`);
    const handle = await open(path, 'wx');
    try {
      const writer = new XlsxReportWriter(handle, {
        columns: ['IMEI', 'TEXT', 'ROW'],
        numberColumns: new Set([2]),
        textColumns: new Set([0]),
        sheetName: 'Report',
        ...options,
      });
      for (const row of rows) await writer.addRow(row);
      await writer.finish();
    } finally {
      await handle.close();
    }
    return path;
  }

  it('keeps every cell exactly as written: markup, spaces, emoji; formulas stay text', async () => {
    const cells = ['a & b <c> "d"', '  lead and trail  ', 'héllo 漢字 😀', '=HYPERLINK("x")', '+1', 'tab\there'];
    const path = await write(cells.map((text, index) => ['353979106673567', text, String(index + 2)]));
    const [sheet] = await readWorkbook(path);
    expect(sheet?.rows.slice(1).map((row) => row[1])).toEqual(cells);
    expect(sheet?.rows.slice(1).map((row) => row[0])).toEqual(cells.map(() => '353979106673567'));
    expect(sheet?.rows[1]?.[2]).toBe(2);
    expect(sheet?.formats[1]?.[0]).toBe('@');
  });

  it("drops what XML cannot carry, and cuts a cell at Excel's limit", async () => {
    const long = 'x'.repeat(40_000);
    const path = await write([['1', 'bell\u0007 and lone \ud800 surrogate', '2'], ['2', long, '3']]);
    const [sheet] = await readWorkbook(path);
    expect(sheet?.rows[1]?.[1]).toBe('bell and lone  surrogate');
    expect(String(sheet?.rows[2]?.[1]).length).toBe(32_767);
  });

  it('continues on another sheet, header repeated, past the rows a sheet holds', async () => {
    const rows = Array.from({ length: 7 }, (_, index) => [String(index), `row ${index}`, String(index + 2)]);
    const sheets = await readWorkbook(await write(rows, { maxRowsPerSheet: 3 }));
    expect(sheets.map((sheet) => sheet.name)).toEqual(['Report', 'Report (2)', 'Report (3)', 'Report (4)']);
    expect(sheets.map((sheet) => sheet.rows.length)).toEqual([3, 3, 3, 2]);
    expect(sheets.every((sheet) => sheet.rows[0]?.[0] === 'IMEI')).toBe(true);
    expect(sheets.flatMap((sheet) => sheet.rows.slice(1).map((row) => row[1]))).toEqual(rows.map((row) => row[1]));
  });

  it('writes an empty report as a header row', async () => {
    const [sheet] = await readWorkbook(await write([]));
    expect(sheet?.rows).toEqual([['IMEI', 'TEXT', 'ROW']]);
  });

  it('escapes text for XML only where it must', () => {
    expect(textXml('plain')).toBe('<t>plain</t>');
    expect(textXml(' a&b ')).toBe('<t xml:space="preserve"> a&amp;b </t>');
    // Excel reads `_x0041_` as "A" (ECMA-376 escapes); its own escape of `_` keeps the text literal.
    // (exceljs, the tests' reader, does not decode these, so this is checked on the XML.)
    expect(textXml('literal _x0041_ here')).toBe('<t>literal _x005F_x0041_ here</t>');
  });
});
