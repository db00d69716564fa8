/**
 * Where a report's workbook is written: on the calling thread (tests, tools), or in a thread of
 * its own (the daemon: `workbook-thread.ts`). Either way the sink creates its file (`wx`), takes
 * rows of cells, and on `finish` leaves the file complete, synced and closed; `abandon` closes
 * it without finishing (the caller removes it).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { XlsxReportWriter, type XlsxReportOptions } from './xlsx-report.js';

/** `XlsxReportOptions` in a form that crosses threads (no Sets or Maps). */
export interface WorkbookLayout {
  columns: string[];
  numberColumns: number[];
  textColumns: number[];
  sheetName: string;
  widths: [number, number][];
}

export interface WorkbookSink {
  /** Returns a promise to wait for only when the sink's buffers are full. */
  addRow(cells: readonly string[]): Promise<void> | undefined;
  /** The file complete, synced and closed. */
  finish(): Promise<void>;
  /** Closes the file unfinished; safe to call twice and after a failure. */
  abandon(): Promise<void>;
}

export interface WorkbookSinks {
  /** A new workbook at `path`, which must not exist yet. */
  open(path: string, layout: WorkbookLayout): Promise<WorkbookSink>;
}

export function xlsxOptions(layout: WorkbookLayout): XlsxReportOptions {
  return {
    columns: layout.columns,
    numberColumns: new Set(layout.numberColumns),
    textColumns: new Set(layout.textColumns),
    sheetName: layout.sheetName,
    widths: new Map(layout.widths),
  };
}

/** A workbook written on the calling thread. */
export class InThreadWorkbook implements WorkbookSink {
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly writer: XlsxReportWriter,
  ) {}

  static async open(path: string, layout: WorkbookLayout): Promise<InThreadWorkbook> {
    // `wx`: never reuse or follow something already at the name.
    const handle = await open(path, 'wx');
    return new InThreadWorkbook(handle, new XlsxReportWriter(handle, xlsxOptions(layout)));
  }

  addRow(cells: readonly string[]): Promise<void> | undefined {
    return this.writer.addRow(cells);
  }

  async finish(): Promise<void> {
    await this.writer.finish();
    await this.handle.sync();
    this.closed = true;
    await this.handle.close();
  }

  async abandon(): Promise<void> {
    this.writer.abandon();
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
  }
}

/** Workbooks written on the calling thread. */
export const inThreadWorkbooks: WorkbookSinks = {
  open: (path, layout) => InThreadWorkbook.open(path, layout),
};
