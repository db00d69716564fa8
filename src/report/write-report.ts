/**
 * Writes `NAME.report.csv`: UTF-8 with BOM and CRLF line endings (what Excel opens right),
 * header then one line per row, every cell defused against formula injection, replaced
 * atomically. Lines are gathered into chunks of about 256 KB and each chunk is written before
 * the next row is pulled, so a million-row file never sits in memory.
 */

import type { FileHandle } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { REPORT_COLUMNS, reportRowCells, type ReportRow } from './columns.js';
import { csvLine } from './csv-line.js';

export { writeJsonAtomic } from './atomic-write.js';

export interface WriteReportResult {
  /** Data rows written, header excluded. */
  rows: number;
}

/** Characters gathered before a write: about 256 KB, a few thousand lines, one system call. */
const CHUNK_CHARS = 256 * 1024;

const BOM = '\uFEFF';

/** The start of every report: the BOM and the header line. */
export const REPORT_HEAD = BOM + csvLine(REPORT_COLUMNS);

/** One report line, CRLF-ended, every cell defused and quoted as needed. */
export function reportLine(row: ReportRow): string {
  return csvLine(reportRowCells(row));
}

export async function writeReport(
  path: string,
  rows: Iterable<ReportRow> | AsyncIterable<ReportRow>,
): Promise<WriteReportResult> {
  return writeFileAtomic(path, async (handle) => {
    const chunks = new ChunkedWriter(handle, REPORT_HEAD);
    let count = 0;
    // A sync source (the store's pages) gets a plain loop: `for await` over it would cost a
    // promise per row, which doubled the time for a million rows.
    if (isIterable(rows)) {
      for (const row of rows) {
        count += 1;
        const full = chunks.add(reportLine(row));
        if (full) await full;
      }
    } else {
      for await (const row of rows) {
        count += 1;
        const full = chunks.add(reportLine(row));
        if (full) await full;
      }
    }
    await chunks.end();
    return { rows: count };
  });
}

/**
 * Text gathered into large writes. The handle belongs to the caller (writeFileAtomic, the report
 * writer), which fsyncs and closes it.
 */
export class ChunkedWriter {
  constructor(
    private readonly handle: FileHandle,
    private pending: string,
  ) {}

  /** Appends `text`; returns the write to wait for once a chunk is full, else nothing. */
  add(text: string): Promise<void> | undefined {
    this.pending += text;
    return this.pending.length >= CHUNK_CHARS ? this.flush() : undefined;
  }

  /** Writes what is left. */
  async end(): Promise<void> {
    if (this.pending !== '') await this.flush();
  }

  private async flush(): Promise<void> {
    const bytes = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    // A write may take fewer bytes than asked (a full disk fills up part way); keep going until
    // all are down or the write fails.
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      if (bytesWritten <= 0) throw new Error('the report file took no more bytes');
      offset += bytesWritten;
    }
  }
}

function isIterable<T>(value: Iterable<T> | AsyncIterable<T>): value is Iterable<T> {
  return Symbol.iterator in value;
}
