/**
 * Writes `NAME.report.csv`: UTF-8 with BOM and CRLF line endings (what Excel opens right),
 * header then one line per row, every cell defused against formula injection, replaced
 * atomically. Rows are streamed with backpressure so a million-row file never sits in memory.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { writeFileAtomic } from './atomic-write.js';
import { REPORT_COLUMNS, reportRowCells, type ReportRow } from './columns.js';
import { fileHandleSink } from './file-sink.js';
import { defuseFormula } from './formula.js';

export { writeJsonAtomic } from './atomic-write.js';

export interface WriteReportResult {
  /** Data rows written, header excluded. */
  rows: number;
}

export async function writeReport(
  path: string,
  rows: Iterable<ReportRow> | AsyncIterable<ReportRow>,
): Promise<WriteReportResult> {
  const counter = { rows: 0 };
  await writeFileAtomic(path, async (handle) => {
    const stringifier = stringify({
      bom: true,
      record_delimiter: 'windows',
      // Setting record_delimiter turns off quoting of a lone `\n` or `\r` inside a cell by
      // default; without it such a cell would split into two lines on reading.
      quote_record_delimiter: true,
      // Defusing is ours (defuseFormula), applied before quoting; the library's version would
      // apply a different character list.
      escape_formulas: false,
    });
    // The handle belongs to writeFileAtomic, which fsyncs and closes it.
    await pipeline(csvRecordSource(rows, counter), stringifier, fileHandleSink(handle));
  });
  return { rows: counter.rows };
}

/**
 * The header, then each row as defused cells, counting rows as the writer pulls them. A sync
 * source (better-sqlite3's `iterate()`) gets a sync generator: an async one costs a promise per
 * row, which doubles the time for a million rows.
 */
function csvRecordSource(
  rows: Iterable<ReportRow> | AsyncIterable<ReportRow>,
  counter: { rows: number },
): Readable {
  return isIterable(rows)
    ? Readable.from(syncCsvRecords(rows, counter))
    : Readable.from(asyncCsvRecords(rows, counter));
}

function* syncCsvRecords(rows: Iterable<ReportRow>, counter: { rows: number }): Generator<string[]> {
  yield headerCells();
  for (const row of rows) {
    counter.rows += 1;
    yield rowCells(row);
  }
}

async function* asyncCsvRecords(
  rows: AsyncIterable<ReportRow>,
  counter: { rows: number },
): AsyncGenerator<string[]> {
  yield headerCells();
  for await (const row of rows) {
    counter.rows += 1;
    yield rowCells(row);
  }
}

function headerCells(): string[] {
  return REPORT_COLUMNS.map(defuseFormula);
}

function rowCells(row: ReportRow): string[] {
  return reportRowCells(row).map(defuseFormula);
}

function isIterable<T>(value: Iterable<T> | AsyncIterable<T>): value is Iterable<T> {
  return Symbol.iterator in value;
}
