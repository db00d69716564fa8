/**
 * An input file as a stream of rows: which cell is the IMEI, which names the service, and on
 * which line each row starts (the report's ROW). The records come from the source the file's
 * first bytes call for (CSV text, or an Excel workbook); the rest is the same for both. Whole-file problems are refused up front with
 * `FileRejectedError` (see `inspectFile` for the list) so a caller never records half a file
 * that should have been refused; the only refusal that can come mid-stream is broken quoting.
 */
import { open, stat } from 'node:fs/promises';
import { FileRejectedError } from '../errors.js';
import { columnLetter, unwrapCell } from './cell.js';
import { analyseFirstRecord } from './header.js';
import { looksLikeImei } from './imei.js';
import { readCsvRecords, type CsvRecord } from './records.js';
import { SNIFF_SAMPLE_BYTES, sniff, sniffRecordSource, type Delimiter, type RecordSourceKind, type TextEncoding } from './sniff.js';
import { readXlsxRecords } from './xlsx-records.js';

export interface ReadRowsOptions {
  /**
   * Files larger than this many bytes are refused unread. Default 52428800 (50 MB), the
   * contract's default for `limits.maxFileBytes`; callers pass the configured value.
   */
  maxFileBytes?: number;
  /** Told the layout once it is known, before the first row. Default: nobody. */
  onLayout?: (layout: FileLayout) => void;
}

/** One of the input's columns other than the IMEI, kept in the report after the daemon's own. */
export interface InputColumn {
  /** 0-based index in the input's records. */
  index: number;
  /** The header's name for it; `column C` (the spreadsheet letter) where the header names none. */
  name: string;
}

export interface InputRow {
  /** The 1-based line number in the file where the row starts: what the report calls ROW. */
  line: number;
  /** The IMEI cell as written (not trimmed or normalised: `checkImei` does that). */
  rawImei: string;
  /** From the row's service column, unwrapped and trimmed; null when absent or empty. */
  serviceId: string | null;
  /** The row's cells of `FileLayout.inputColumns`, unwrapped; absent when all are empty. */
  inputCells?: string[];
}

export interface FileLayout {
  /** Text (CSV, TXT) or an Excel workbook; encoding and delimiter only mean something for text. */
  source: RecordSourceKind;
  encoding: TextEncoding;
  hasBom: boolean;
  delimiter: Delimiter;
  /** True when a header row names the columns: the first record, or one below a title. */
  hasHeader: boolean;
  /** 0-based index of the IMEI column. */
  imeiColumn: number;
  /** 0-based index of the per-row service column, null when there is none. */
  serviceColumn: number | null;
  /** Every other column the input has, in its order (the service column included). */
  inputColumns: InputColumn[];
}

export const DEFAULT_MAX_FILE_BYTES = 52_428_800;

/**
 * A headerless file is refused when none of its first this-many rows has an IMEI-like first
 * cell (5+ digits, or Excel scientific notation). Enough to see past a title line or a few
 * notes; few enough that the look-ahead costs nothing.
 */
export const HEADERLESS_LOOKAHEAD_ROWS = 50;

/**
 * How many title records (a title, a date, a note) may stand above a header. Few: a title is a
 * line or two, and the further down a header is looked for, the likelier a stray "IMEI" cell in
 * a headerless list is taken for one.
 */
const TITLE_LINES_MAX = 5;

/**
 * Streams the data rows of a CSV/TXT file or an Excel workbook in order. Refusals are thrown on the first `next()`,
 * before any row is yielded. Breaking out of the loop early closes the file.
 */
export async function* readInputRows(path: string, options: ReadRowsOptions = {}): AsyncGenerator<InputRow> {
  const opened = await openInput(path, options);
  options.onLayout?.(opened.layout);
  try {
    for (const record of opened.lookahead) yield toInputRow(record, opened.layout);
    for await (const record of opened.records) yield toInputRow(record, opened.layout);
  } finally {
    await opened.records.return(undefined);
  }
}

/**
 * How the file will be read, after the same checks `readInputRows` makes. Refuses, with
 * `FileRejectedError`: a file over `maxFileBytes`; an empty one (0 bytes, only whitespace or
 * blank rows); binary data; a header naming no IMEI column; a header with no data rows; and a
 * headerless file whose first column has nothing IMEI-like in its first 50 rows.
 * Other errors (the file vanished, permissions) are thrown as they are.
 */
export async function inspectFile(path: string, options: ReadRowsOptions = {}): Promise<FileLayout> {
  const opened = await openInput(path, options);
  await opened.records.return(undefined);
  return opened.layout;
}

interface OpenedInput {
  layout: FileLayout;
  /** Records already read to decide the layout, to be yielded before the rest. */
  lookahead: CsvRecord[];
  records: AsyncGenerator<CsvRecord>;
}

async function openInput(path: string, options: ReadRowsOptions): Promise<OpenedInput> {
  const { size } = await stat(path);
  const limit = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (size > limit) {
    throw new FileRejectedError(
      `file is ${formatSize(size)}, over the ${formatSize(limit)} limit (limits.maxFileBytes)`,
    );
  }
  if (size === 0) throw new FileRejectedError('the file is empty (0 bytes)');
  const sample = await readStart(path, SNIFF_SAMPLE_BYTES);
  const complete = size <= sample.length;
  // One record source per kind of file; everything after it (header, columns, rows) is shared.
  const source = sniffRecordSource(sample);
  const format =
    source === 'workbook'
      ? { encoding: 'utf-8' as const, hasBom: false, delimiter: ',' as const, blank: false }
      : sniff(sample, { complete });
  if (format.blank && complete) throw new FileRejectedError('the file is empty (only blank space)');

  const records = source === 'workbook' ? readXlsxRecords(path) : readCsvRecords(path, format);
  try {
    const { hasHeader, imeiColumn, serviceColumn, lookahead, header } = await findColumns(records);
    const layout: FileLayout = {
      source,
      encoding: format.encoding,
      hasBom: format.hasBom,
      delimiter: format.delimiter,
      hasHeader,
      imeiColumn,
      serviceColumn,
      inputColumns: inputColumnsOf(header, lookahead, imeiColumn),
    };
    return { layout, lookahead, records };
  } catch (error) {
    await records.return(undefined);
    throw error;
  }
}

interface FoundColumns {
  hasHeader: boolean;
  imeiColumn: number;
  serviceColumn: number | null;
  lookahead: CsvRecord[];
  /** The header's cells; null for a headerless file. */
  header: readonly string[] | null;
}

/** Reads as few records as needed to settle the header question and the IMEI column. */
async function findColumns(records: AsyncGenerator<CsvRecord>): Promise<FoundColumns> {
  const first = await records.next();
  if (first.done === true) throw new FileRejectedError('the file is empty (no rows)');
  const columns = analyseFirstRecord(first.value.cells);

  if (columns.hasHeader) {
    if (columns.imeiColumn === null) {
      throw new FileRejectedError(
        `no IMEI column found: the header (${describeCells(first.value.cells)}) names none; name it "imei"`,
      );
    }
    const second = await records.next();
    if (second.done === true) {
      const header = describeCells(first.value.cells);
      throw new FileRejectedError(`the file has a header (${header}) but no data rows`);
    }
    return { ...columns, imeiColumn: columns.imeiColumn, lookahead: [second.value], header: first.value.cells };
  }

  const lookahead = [first.value];
  while (lookahead.length < HEADERLESS_LOOKAHEAD_ROWS) {
    const next = await records.next();
    if (next.done === true) break;
    lookahead.push(next.value);
  }
  const titled = headerBelowTitle(lookahead);
  if (titled !== null) {
    const header = lookahead[titled.headerIndex];
    const data = lookahead.slice(titled.headerIndex + 1);
    if (data.length === 0) {
      throw new FileRejectedError(`the file has a header (${describeCells(header?.cells ?? [])}) but no data rows`);
    }
    return {
      hasHeader: true,
      imeiColumn: titled.imeiColumn,
      serviceColumn: titled.serviceColumn,
      lookahead: data,
      header: header?.cells ?? [],
    };
  }
  if (!lookahead.some((record) => looksLikeImei(record.cells[0] ?? ''))) {
    throw new FileRejectedError(
      `no IMEI column found: no header names one (first row: ${describeCells(first.value.cells)}), ` +
        `and the first column holds nothing like an IMEI in the first ${HEADERLESS_LOOKAHEAD_ROWS} rows; ` +
        'add a header row naming the IMEI column "imei"',
    );
  }
  return { hasHeader: false, imeiColumn: 0, serviceColumn: null, lookahead, header: null };
}

/**
 * The input's columns other than the IMEI, so the report can keep them (customer, model...).
 * A column the header names is kept by that name. One without a name (a headerless file, an
 * empty header cell) is kept as `column C` when one of the rows read so far has a value there:
 * spreadsheets export trailing empty columns, which would only add clutter. Cells beyond the
 * columns known here are not copied.
 */
function inputColumnsOf(header: readonly string[] | null, lookahead: readonly CsvRecord[], imeiColumn: number): InputColumn[] {
  const width = Math.max(header?.length ?? 0, ...lookahead.map((record) => record.cells.length));
  const columns: InputColumn[] = [];
  for (let index = 0; index < width; index += 1) {
    if (index === imeiColumn) continue;
    const named = unwrapCell(header?.[index] ?? '').replace(/\s+/g, ' ');
    const used = lookahead.some((record) => unwrapCell(record.cells[index] ?? '') !== '');
    if (named !== '') columns.push({ index, name: named });
    else if (used) columns.push({ index, name: `column ${columnLetter(index)}` });
  }
  return columns;
}

interface TitledHeader {
  headerIndex: number;
  imeiColumn: number;
  serviceColumn: number | null;
}

/**
 * A header naming the IMEI column a few records down, below a title (Excel exports a sheet whose
 * A1 holds "Unlock order - March" this way, and `sep=;` lines come out alike). The records above
 * it are skipped like the header itself: they are not data rows. Only when none of them holds
 * anything IMEI-like in any cell, so a data row is never dropped as a title; otherwise the file
 * reads as headerless, as before.
 */
function headerBelowTitle(records: readonly CsvRecord[]): TitledHeader | null {
  const searched = records.slice(0, TITLE_LINES_MAX + 1);
  for (const [index, record] of searched.entries()) {
    if (record.cells.some(looksLikeImei)) return null;
    if (index === 0) continue;
    const columns = analyseFirstRecord(record.cells);
    if (columns.hasHeader && columns.imeiColumn !== null) {
      return { headerIndex: index, imeiColumn: columns.imeiColumn, serviceColumn: columns.serviceColumn };
    }
  }
  return null;
}

function toInputRow(record: CsvRecord, layout: FileLayout): InputRow {
  const serviceCell = layout.serviceColumn === null ? undefined : record.cells[layout.serviceColumn];
  const service = unwrapCell(serviceCell ?? '');
  const row: InputRow = {
    line: record.line,
    rawImei: record.cells[layout.imeiColumn] ?? '',
    serviceId: service === '' ? null : service,
  };
  if (layout.inputColumns.length === 0) return row;
  const inputCells = layout.inputColumns.map((column) => unwrapCell(record.cells[column.index] ?? ''));
  if (inputCells.some((cell) => cell !== '')) row.inputCells = inputCells;
  return row;
}

/** The first cells of a row, short enough for a one-line message. */
function describeCells(cells: readonly string[]): string {
  const shown = cells.slice(0, 6).map((cell) => {
    // A quoted cell may hold line breaks; the message must stay on one line (logs, summaries).
    const text = unwrapCell(cell).replace(/\s+/g, ' ');
    return text.length > 30 ? `${text.slice(0, 29)}…` : text;
  });
  return cells.length > shown.length ? `${shown.join(', ')}, …` : shown.join(', ');
}

async function readStart(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Sizes as people read them: 1 MB = 1024 × 1024 bytes, as Windows Explorer shows. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
}
