/**
 * The one report sink: `NAME.report.csv` and `NAME.report.xlsx` written side by side, row by
 * row, each into a hidden temporary file in the report's folder, and renamed into place together
 * once complete (workbook first, then the CSV, then the folder is synced). A reader sees the old
 * reports or the new ones, never half of either. The whole-file render and the report drafted
 * during the last calls both write through it, so the two formats can never tell different
 * stories.
 *
 * The CSV is the contract's report; the workbook is a convenience beside it. A workbook that
 * cannot be written (past the zip format's 4 GB, its thread gone) must not hold the CSV up: the
 * CSV is written all the same, an older workbook is removed rather than left telling an older
 * story, and `workbookError` says why.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncFolder, temporaryPathFor } from './atomic-write.js';
import type { ReportRow } from './columns.js';
import { csvLine } from './csv-line.js';
import { IMEI_COLUMN_INDEXES, ROW_COLUMN_INDEX, layoutCells, reportHeadings, type ReportLayout } from './report-layout.js';
import { inThreadWorkbooks, type WorkbookSink, type WorkbookSinks } from './workbook-sink.js';
import { ChunkedWriter } from './write-report.js';

/** Where a report goes: the CSV and the workbook beside it. */
export interface ReportTarget {
  csv: string;
  workbook: string;
}

const BOM = '\uFEFF';

/** Column widths that make the workbook readable when it opens, in characters. */
const WIDTHS: [number, number][] = [
  [0, 28], // SERVICE
  [1, 17], // IMEI NO.
  [3, 12], // STATUS
  [4, 40], // CODE
  [5, 17], // IMEI 2
  [10, 19], // ORDER DATE
  [11, 12], // ORDER ID
  [13, 60], // NOTE
];

interface Part {
  path: string;
  handle: FileHandle;
}

/** Stands in for a workbook that could not even be opened. */
const NO_WORKBOOK: WorkbookSink = {
  addRow: () => undefined,
  finish: () => Promise.reject(new Error('the workbook was never opened')),
  abandon: () => Promise.resolve(),
};

/** What a finished report wrote. */
export interface ReportWritten {
  rows: number;
  /** Why there is no workbook beside the CSV; undefined when there is one. */
  workbookError: string | undefined;
}

export class ReportWriter {
  private count = 0;
  private finished = false;
  private workbookFailure: string | undefined;

  private constructor(
    private readonly layout: ReportLayout,
    private readonly csvPart: Part,
    private readonly csv: ChunkedWriter,
    /** The workbook's temporary path; its sink owns the file until `finish` or `abandon`. */
    private readonly workbookPath: string,
    private readonly workbook: WorkbookSink,
  ) {}

  /**
   * Opens both temporary files in `folder`, which must be the folder the reports are renamed
   * into (a rename is atomic only within one file system). `kind` marks the temporary names
   * (`.draft`); a crash's leftovers are removed at the next start either way. `workbooks`: where
   * the workbook is written; default on this thread (the daemon has a thread for it).
   */
  static async create(
    folder: string,
    layout: ReportLayout,
    kind = '',
    workbooks: WorkbookSinks = inThreadWorkbooks,
  ): Promise<ReportWriter> {
    const csvPart = await openPart(join(folder, 'report.csv'), kind);
    const headings = reportHeadings(layout);
    const workbookPath = temporaryPathFor(join(folder, 'report.xlsx'), kind);
    let workbook: WorkbookSink = NO_WORKBOOK;
    let failure: string | undefined;
    try {
      workbook = await workbooks.open(workbookPath, {
        columns: headings,
        numberColumns: [ROW_COLUMN_INDEX],
        textColumns: [...IMEI_COLUMN_INDEXES],
        sheetName: layout.sheetName,
        widths: WIDTHS,
      });
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const csv = new ChunkedWriter(csvPart.handle, BOM + csvLine(headings));
    const writer = new ReportWriter(layout, csvPart, csv, workbookPath, workbook);
    if (failure !== undefined) writer.workbookFailed(failure);
    return writer;
  }

  /** Rows added so far. */
  get rows(): number {
    return this.count;
  }

  /** Why the workbook failed, once it has; it is then left out. */
  get workbookError(): string | undefined {
    return this.workbookFailure;
  }

  /** Adds one row to both reports; returns a write to wait for only when a buffer is full. */
  add(row: ReportRow): Promise<void> | undefined {
    this.count += 1;
    const cells = layoutCells(row, this.layout);
    const csvFull = this.csv.add(csvLine(cells));
    if (this.workbookFailure !== undefined) return csvFull;
    let workbookFull: Promise<void> | undefined;
    try {
      workbookFull = this.workbook.addRow(cells)?.catch((error: unknown) => this.workbookFailed(error));
    } catch (error) {
      this.workbookFailed(error);
    }
    if (csvFull && workbookFull) return Promise.all([csvFull, workbookFull]).then(() => undefined);
    return csvFull ?? workbookFull;
  }

  /**
   * Completes the files, makes them durable and renames them into place: the workbook, when it
   * could be written, then the CSV. Throws only for the CSV.
   */
  async commit(target: ReportTarget): Promise<ReportWritten> {
    try {
      await this.csv.end();
      // The workbook comes back synced and closed.
      const [workbookDone] = await Promise.all([this.finishWorkbook(), this.csvPart.handle.sync()]);
      await this.csvPart.handle.close();
      if (workbookDone) await rename(this.workbookPath, target.workbook);
      else await Promise.all([rm(this.workbookPath, { force: true }), rm(target.workbook, { force: true })]);
      await rename(this.csvPart.path, target.csv);
      this.finished = true;
    } finally {
      if (!this.finished) await this.discard();
    }
    await syncFolder(dirname(target.csv));
    return { rows: this.count, workbookError: this.workbookFailure };
  }

  /** Whether the workbook is complete, synced and closed; false once it failed (and is closed). */
  private async finishWorkbook(): Promise<boolean> {
    if (this.workbookFailure === undefined) {
      try {
        await this.workbook.finish();
        return true;
      } catch (error) {
        this.workbookFailed(error);
      }
    }
    await this.workbook.abandon();
    return false;
  }

  private workbookFailed(error: unknown): void {
    this.workbookFailure ??= error instanceof Error ? error.message : String(error);
  }

  /** Drops both temporary files; safe to call twice. */
  async discard(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await Promise.all([
      discardPart(this.csvPart),
      this.workbook.abandon().then(() => rm(this.workbookPath, { force: true })),
    ]);
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
  workbooks: WorkbookSinks = inThreadWorkbooks,
): Promise<ReportWritten> {
  const writer = await ReportWriter.create(dirname(target.csv), layout, '', workbooks);
  try {
    for (const row of rows) {
      const full = writer.add(row);
      if (full) await full;
    }
  } catch (error) {
    await writer.discard();
    throw error;
  }
  return writer.commit(target);
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
