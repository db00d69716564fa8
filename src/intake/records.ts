/**
 * A file as a stream of CSV records, each with the line it starts on. Memory stays flat: the
 * file is read in chunks through csv-parse, and the async generator only pulls the next chunk
 * when its consumer asks for the next record.
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Transform } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { FileRejectedError } from '../errors.js';
import { unwrapCell } from './cell.js';
import { decodingStages } from './decode.js';
import type { Delimiter, TextEncoding } from './sniff.js';

export interface CsvRecord {
  /** 1-based line of the file on which the record starts. */
  line: number;
  cells: string[];
}

export interface CsvFormat {
  encoding: TextEncoding;
  delimiter: Delimiter;
}

/**
 * A record longer than this (in characters) is an error, not data. No IMEI row comes close;
 * the limit stops a quote that is never closed from swallowing the rest of the file into memory.
 */
const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * Reads the file's records in order, skipping those whose cells are all empty (blank lines,
 * lines of separators only). csv-parse errors become `FileRejectedError` naming the line.
 */
export async function* readCsvRecords(path: string, format: CsvFormat): AsyncGenerator<CsvRecord> {
  // 16 KB at a time (about 1,000 rows): csv-parse works through each read without a pause, and
  // replies waiting to be read should not sit behind several thousand rows.
  const source = createReadStream(path, { highWaterMark: 16 * 1024 });
  const parser = parse({
    bom: true,
    delimiter: format.delimiter,
    // Explicit, so a file mixing CRLF and LF (two exports pasted together) still splits on both;
    // csv-parse would otherwise keep only the first kind it meets.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    // Blank lines come through as records of one empty cell and are dropped below with the
    // separator-only ones. Keeping them makes line counting exact and cheap: every line starts
    // a record, so no `info: true` (which doubles parse time) is needed to count skipped lines.
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  });
  const stages: Transform[] = decodingStages(format.encoding);
  // Errors from any stage reach the parser (pipeline destroys it with them) and so the loop.
  pipeline([source, ...stages, parser], () => undefined);

  const lines = new LineCounter();
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      const line = lines.startOf(cells);
      if (cells.some(hasValue)) yield { line, cells };
    }
  } catch (error) {
    throw error instanceof CsvError ? asRejection(error, lines.lastLine) : error;
  } finally {
    // Early return by the consumer: release the file now rather than at garbage collection.
    source.destroy();
    parser.destroy();
  }
}

/**
 * Start lines of records. With blank lines kept as records, a record starts on the line after
 * the previous one ends, and ends as many lines later as its quoted fields hold line breaks.
 * (csv-parse's own `info.lines` is the line a record ends on, and counts a CRLF inside a quoted
 * field as two lines.)
 */
class LineCounter {
  /** Last line of the previous record (0 before the first). */
  lastLine = 0;

  startOf(cells: readonly string[]): number {
    const start = this.lastLine + 1;
    this.lastLine = start + lineBreaksIn(cells);
    return start;
  }
}

function lineBreaksIn(cells: readonly string[]): number {
  let breaks = 0;
  for (const cell of cells) {
    if (cell.includes('\n') || cell.includes('\r')) breaks += cell.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return breaks;
}

function hasValue(cell: string): boolean {
  return unwrapCell(cell) !== '';
}

function asRejection(error: CsvError, lastGoodLine: number): FileRejectedError {
  const where = lastGoodLine === 0 ? 'at the start of the file' : `after line ${lastGoodLine}`;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new FileRejectedError(`a quoted field ${where} is never closed: check the quotes (")`);
    case 'CSV_MAX_RECORD_SIZE':
      return new FileRejectedError(
        `the row ${where} is over ${MAX_RECORD_CHARS} characters long: probably a quote (") that is never closed`,
      );
    default:
      return new FileRejectedError(`the file could not be read as CSV ${where}: ${error.message}`);
  }
}
