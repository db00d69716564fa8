/**
 * An Excel workbook (`.xlsx`) as a stream of records, the same shape the CSV reader gives
 * (`CsvRecord`), so header detection, IMEI checks and intake are shared: the workbook is only
 * another record source. Read with exceljs's streaming reader, row by row, in the reader thread.
 *
 * Why reading the workbook itself beats asking staff for CSV: a number cell holds the IMEI as a
 * binary double, and every 15-digit IMEI is below 2^53, so the value is exact; it is Excel's CSV
 * export (`3.53979E+14`) that loses digits. Numbers are written back as plain digits here, never
 * through a format that could round them.
 */
import type { CellValue, Row } from 'exceljs';
import { FileRejectedError, describeError } from '../errors.js';
import type { CsvRecord } from './records.js';

/**
 * exceljs is large (about 30 MB once loaded): loaded on the first workbook, so a daemon that
 * only ever reads CSV never pays for it.
 */
async function loadExcel(): Promise<typeof import('exceljs')> {
  const module = await import('exceljs');
  // A CommonJS package: its API sits on `default` when imported from ESM.
  return (module as { default?: typeof import('exceljs') }).default ?? module;
}

/**
 * The records of the workbook's first worksheet that holds any row, in order, with the sheet's
 * own row numbers as lines (what a user sees at the left edge of Excel). Rows whose cells are all
 * empty are skipped, as blank CSV lines are. A workbook that cannot be read is refused with
 * `FileRejectedError` saying what to do.
 */
export async function* readXlsxRecords(path: string): AsyncGenerator<CsvRecord> {
  const excel = await loadExcel();
  const reader = new excel.stream.xlsx.WorkbookReader(path, {
    sharedStrings: 'cache',
    // Styles tell a date cell from a number cell; hyperlinks and other parts are not needed.
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let sawRow = false;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const cells = rowCells(row);
        if (!cells.some((cell) => cell.trim() !== '')) continue;
        sawRow = true;
        yield { line: row.number, cells };
      }
      // Only the first sheet with data: the others are often notes, lists or pivots.
      if (sawRow) return;
    }
  } catch (error) {
    // The file vanished or cannot be read (EACCES, EIO): not the file's fault, intake tries again.
    if (typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).syscall) throw error;
    throw new FileRejectedError(
      `the file is a zip archive (an Excel .xlsx workbook?) that could not be read as a workbook ` +
        `(${describeError(error)}): open it in Excel and save it as CSV or XLSX again`,
    );
  }
}

/** A row's cells as text, column A first; missing cells are empty. */
function rowCells(row: Row): string[] {
  const values = row.values;
  if (!Array.isArray(values)) return [];
  const cells: string[] = [];
  // `values` is 1-based (index 0 is always empty) and sparse where cells are missing.
  for (let column = 1; column < values.length; column += 1) cells.push(cellText(values[column] as CellValue));
  return cells;
}

/**
 * What a cell shows, as text. Numbers keep every digit they hold: a whole number is written
 * with all its digits (`353979106673567`, never `3.53979E+14`); formulas give their last result;
 * dates are written as ISO dates.
 */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('error' in value) return value.error;
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    return isCellValue(result) ? cellText(result) : '';
  }
  if ('text' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as CellValue);
  return '';
}

function isCellValue(value: unknown): value is CellValue {
  return value === null || value === undefined || ['string', 'number', 'boolean', 'object'].includes(typeof value);
}

/**
 * Whole numbers as plain digits. A double holds every integer up to 2^53 exactly, which covers
 * every IMEI; a larger one has already lost digits in the workbook and is written as it is held
 * (the IMEI check then says what is wrong). Fractions keep their shortest exact form.
 */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return BigInt(value).toString();
  return String(value);
}

/** A date cell as `YYYY-MM-DD`, with the time when it has one (exceljs reads dates as UTC). */
function dateText(value: Date): string {
  if (Number.isNaN(value.getTime())) return '';
  const iso = value.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}
