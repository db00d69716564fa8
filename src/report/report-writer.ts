/**
 * The one report sink: `NAME.report.csv` and `NAME.report.xlsx` written side by side, row by
 * row, each into a hidden temporary file in the report's folder, and renamed into place together
 * once complete (workbook first, then the CSV, then the folder is synced). A reader sees the old
 * reports or the new ones, never half of either. The whole-file render and the report drafted
 * during the last calls both write through it, so the two formats can never tell different
 * stories.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncFolder, temporaryPathFor } from './atomic-write.js';
import type { ReportRow } from './columns.js';
import { csvLine } from './csv-line.js';
import { IMEI_COLUMN_INDEXES, ROW_COLUMN_INDEX, layoutCells, reportHeadings, type ReportLayout } from './report-layout.js';
import { ChunkedWriter } from './write-report.js';
import { XlsxReportWriter } from './xlsx-report.js';

/** Where a report goes: the CSV and the workbook beside it. */
export interface ReportTarget {
  csv: string;
  workbook: string;
}

const BOM = '\uFEFF';

/** Column widths that make the workbook readable when it opens, in characters. */
const WIDTHS: ReadonlyMap<number, number> = new Map([
  [0, 28], // SERVICE
  [1, 17], // IMEI NO.
  [3, 12], // STATUS
  [4, 40], // CODE
  [5, 17], // IMEI 2
  [10, 19], // ORDER DATE
  [11, 12], // ORDER ID
  [13, 60], // NOTE
]);

interface Part {
  path: string;
  handle: FileHandle;
}

export class ReportWriter {
  private count = 0;
  private finished = false;

  private constructor(
    private readonly layout: ReportLayout,
    private readonly csvPart: Part,
    private readonly csv: ChunkedWriter,
    private readonly workbookPart: Part,
    private readonly workbook: XlsxReportWriter,
  ) {}

  /**
   * Opens both temporary files in `folder`, which must be the folder the reports are renamed
   * into (a rename is atomic only within one file system). `kind` marks the temporary names
   * (`.draft`); a crash's leftovers are removed at the next start either way.
   */
  static async create(folder: string, layout: ReportLayout, kind = ''): Promise<ReportWriter> {
    const csvPart = await openPart(join(folder, 'report.csv'), kind);
    let workbookPart: Part;
    try {
      workbookPart = await openPart(join(folder, 'report.xlsx'), kind);
    } catch (error) {
      await discardPart(csvPart);
      throw error;
    }
    const headings = reportHeadings(layout);
    const csv = new ChunkedWriter(csvPart.handle, BOM + csvLine(headings));
    const workbook = new XlsxReportWriter(workbookPart.handle, {
      columns: headings,
      numberColumns: new Set([ROW_COLUMN_INDEX]),
      textColumns: IMEI_COLUMN_INDEXES,
      sheetName: layout.sheetName,
      widths: WIDTHS,
    });
    return new ReportWriter(layout, csvPart, csv, workbookPart, workbook);
  }

  /** Rows added so far. */
  get rows(): number {
    return this.count;
  }

  /** Adds one row to both reports; returns a write to wait for only when a buffer is full. */
  add(row: ReportRow): Promise<void> | undefined {
    this.count += 1;
    const cells = layoutCells(row, this.layout);
    const csvFull = this.csv.add(csvLine(cells));
    const workbookFull = this.workbook.addRow(cells);
    if (csvFull && workbookFull) return Promise.all([csvFull, workbookFull]).then(() => undefined);
    return csvFull ?? workbookFull;
  }

  /** Completes both files, makes them durable and renames them into place. */
  async commit(target: ReportTarget): Promise<void> {
    try {
      await this.csv.end();
      await this.workbook.finish();
      await Promise.all([this.csvPart.handle.sync(), this.workbookPart.handle.sync()]);
      await Promise.all([this.csvPart.handle.close(), this.workbookPart.handle.close()]);
      await rename(this.workbookPart.path, target.workbook);
      await rename(this.csvPart.path, target.csv);
      this.finished = true;
    } finally {
      if (!this.finished) await this.discard();
    }
    await syncFolder(dirname(target.csv));
  }

  /** Drops both temporary files; safe to call twice. */
  async discard(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.workbook.abandon();
    await Promise.all([discardPart(this.csvPart), discardPart(this.workbookPart)]);
  }
}

/**
 * Writes a whole report from `rows`. A sync source (the store's pages) gets a plain loop: `for
 * await` over it would cost a promise per row, which doubled the time for a million rows.
 */
export async function writeReportFiles(
  target: ReportTarget,
  layout: ReportLayout,
  rows: Iterable<ReportRow>,
): Promise<number> {
  const writer = await ReportWriter.create(dirname(target.csv), layout);
  try {
    for (const row of rows) {
      const full = writer.add(row);
      if (full) await full;
    }
  } catch (error) {
    await writer.discard();
    throw error;
  }
  await writer.commit(target);
  return writer.rows;
}

async function openPart(path: string, kind: string): Promise<Part> {
  const temporary = temporaryPathFor(path, kind);
  // `wx`: never reuse or follow something already at the temporary name.
  return { path: temporary, handle: await open(temporary, 'wx') };
}

async function discardPart(part: Part): Promise<void> {
  await part.handle.close().catch(() => undefined);
  await rm(part.path, { force: true });
}
