import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../src/errors.js';
import { inspectFile, readInputRows, type InputRow } from '../../src/intake/read-rows.js';
import { readXlsxRecords } from '../../src/intake/xlsx-records.js';

describe('an Excel workbook as a record source', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-xlsx-in-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A real workbook, written by exceljs as Excel would hold it. */
  async function workbook(name: string, fill: (book: ExcelJS.Workbook) => void): Promise<string> {
    const book = new ExcelJS.Workbook();
    fill(book);
    const path = join(dir, name);
    await book.xlsx.writeFile(path);
    return path;
  }

  async function records(path: string): Promise<{ line: number; cells: string[] }[]> {
    const found: { line: number; cells: string[] }[] = [];
    for await (const record of readXlsxRecords(path)) found.push(record);
    return found;
  }

  it('reads every kind of cell as the text it shows, numbers with all their digits', async () => {
    const path = await workbook('cells.xlsx', (book) => {
      const sheet = book.addWorksheet('One');
      sheet.addRow(['imei', 'note']);
      sheet.addRow([353979106673567, 'number']);
      sheet.addRow([{ formula: 'A2+0', result: 353979106673567 }, { richText: [{ text: 'rich ' }, { text: 'text', font: { bold: true } }] }]);
      sheet.addRow(['356789101234563', { text: 'a link', hyperlink: 'https://example.com' }]);
      sheet.addRow([true, new Date(Date.UTC(2026, 2, 1))]);
      sheet.addRow([]);
      sheet.addRow([3.53979e14, 12.5]);
      sheet.getCell('C9').value = 'far right';
    });
    expect(await records(path)).toEqual([
      { line: 1, cells: ['imei', 'note'] },
      { line: 2, cells: ['353979106673567', 'number'] },
      { line: 3, cells: ['353979106673567', 'rich text'] },
      { line: 4, cells: ['356789101234563', 'a link'] },
      { line: 5, cells: ['TRUE', '2026-03-01'] },
      { line: 7, cells: ['353979000000000', '12.5'] },
      { line: 9, cells: ['', '', 'far right'] },
    ]);
  });

  it('reads the first sheet that holds data, and only that one', async () => {
    const path = await workbook('sheets.xlsx', (book) => {
      book.addWorksheet('Empty');
      book.addWorksheet('Orders').addRows([['Customer', 'IMEI'], ['ACME', 353979106673567]]);
      book.addWorksheet('Notes').addRows([['IMEI'], [356789101234563]]);
    });
    const rows: InputRow[] = [];
    for await (const row of readInputRows(path)) rows.push(row);
    expect(rows).toEqual([{ line: 2, rawImei: '353979106673567', serviceId: null, inputCells: ['ACME'] }]);
    expect(await inspectFile(path)).toMatchObject({ source: 'workbook', hasHeader: true, imeiColumn: 1, inputColumns: [{ index: 0, name: 'Customer' }] });
  });

  it('is chosen by the first bytes, whatever the name says', async () => {
    const path = await workbook('saved-as.csv', (book) => book.addWorksheet('S').addRows([['IMEI'], [353979106673567]]));
    const rows: InputRow[] = [];
    for await (const row of readInputRows(path)) rows.push(row);
    expect(rows.map((row) => row.rawImei)).toEqual(['353979106673567']);
  });

  it('refuses a workbook saved with a password (Office\'s old container), saying what to do', async () => {
    const path = join(dir, 'secret.xlsx');
    await writeFile(path, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
    await expect(inspectFile(path)).rejects.toThrow(/password-protected.*save it as CSV or XLSX, without a password/);
  });

  it('refuses a zip that is not a workbook, saying what to do', async () => {
    const path = join(dir, 'broken.xlsx');
    await writeFile(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]));
    const failure = (async () => {
      for await (const row of readInputRows(path)) void row;
    })();
    await expect(failure).rejects.toThrow(FileRejectedError);
    await expect(failure).rejects.toThrow(/could not be read as a workbook.*save it as CSV or XLSX/);
  });
});
