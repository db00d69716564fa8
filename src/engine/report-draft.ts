/**
 * A file's first report, drafted while its last calls are still in flight. Once the file is read
 * to its end, every reply extends a draft (a hidden file beside the report) over the rows that
 * are settled and lie before the first row still in flight; when the last reply is in, only the
 * rows after that are left to write before the draft is renamed into place. At 20,000 rows,
 * rendering the whole report after the last reply took 180 ms, while the main thread sat half
 * idle during the last round of calls. The CSV and the workbook are drafted together, through the
 * same `ReportWriter` the whole render uses.
 *
 * A drafted row is settled: only results being polled or the retry job can change it, and both
 * count in `files.outside_changes`. If that count moved, the service catalogue was refreshed, or
 * anything else went wrong, the draft is dropped and the report rendered whole, as before. Files repeating rows of other files are
 * not drafted (their rows show those rows, which change with the other file's submission).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { ReportLayout } from '../report/report-layout.js';
import { toReportRow } from '../report/report-row.js';
import { ReportWriter, type ReportTarget, type ReportWritten } from '../report/report-writer.js';
import type { WorkbookSinks } from '../report/workbook-sink.js';
import { fileRowRange, reportSourceRows } from '../store/report-queries.js';
import { ReportTally } from '../store/report-tally.js';
import type { Store } from '../store/store.js';

/** Files smaller than this are rendered whole after their last reply: it takes a few ms. */
export const DRAFT_MIN_ROWS = 2_000;

/** Rows rendered between yields to the event loop: replies must not wait behind a draft. */
const ROWS_PER_SLICE = 500;

interface Draft {
  fileId: number;
  /** The CSV and the workbook, drafted side by side (hidden files beside the reports). */
  writer: ReportWriter;
  tally: ReportTally;
  /** The last row id written. */
  cursor: number;
  lastId: number;
  outsideChanges: number;
  /** SERVICE and CREDITS come from the catalogue: a refresh meanwhile also spoils the draft. */
  catalogueFetchedAt: string | undefined;
  broken: boolean;
}

export class ReportDrafts {
  private readonly drafts = new Map<number, Draft>();
  /** Files never drafted (too small, repeating other files, already reported). */
  private readonly refused = new Set<number>();
  /** One extension at a time per file; a request meanwhile runs once more after it. */
  private readonly running = new Map<number, Promise<void>>();
  private readonly again = new Set<number>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly processedDir: string,
    /** How a file's report is laid out: its input columns, its NOTE marks. */
    private readonly layoutOf: (fileId: number) => ReportLayout,
    /** Where the workbooks are written (the daemon's workbook thread). */
    private readonly workbooks: WorkbookSinks,
  ) {}

  /** Extends the file's draft over its settled rows, starting it if the file qualifies. */
  extend(fileId: number): void {
    if (this.closed || this.refused.has(fileId)) return;
    if (this.running.has(fileId)) {
      this.again.add(fileId);
      return;
    }
    const run = this.extendNow(fileId)
      .catch(() => {
        // A draft that cannot be written (disk full...) is dropped; the report is rendered whole.
        const draft = this.drafts.get(fileId);
        if (draft) draft.broken = true;
        else this.refused.add(fileId);
      })
      .finally(() => {
        this.running.delete(fileId);
        if (this.again.delete(fileId)) this.extend(fileId);
      });
    this.running.set(fileId, run);
  }

  /**
   * Finishes the draft into `target` and returns its tally and what it wrote; undefined when
   * there is no usable draft, and the caller renders the report whole.
   */
  async complete(fileId: number, target: ReportTarget): Promise<{ tally: ReportTally; written: ReportWritten } | undefined> {
    this.refused.add(fileId);
    this.again.delete(fileId);
    await this.running.get(fileId);
    const draft = this.drafts.get(fileId);
    if (!draft) return undefined;
    this.drafts.delete(fileId);
    try {
      const unchanged =
        this.store.outsideChanges(fileId) === draft.outsideChanges && this.store.catalogueFetchedAt() === draft.catalogueFetchedAt;
      if (draft.broken || this.closed || !unchanged) return undefined;
      await this.writeRows(draft, draft.lastId, false);
      const written = await draft.writer.commit(target);
      return { tally: draft.tally, written };
    } finally {
      // Nothing left after a commit; otherwise the draft's files go.
      await draft.writer.discard();
    }
  }

  /** Drops every draft (shutdown); safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running.values()]);
    const drafts = [...this.drafts.values()];
    this.drafts.clear();
    for (const draft of drafts) await draft.writer.discard();
  }

  private async extendNow(fileId: number): Promise<void> {
    const draft = this.drafts.get(fileId) ?? (await this.begin(fileId));
    if (!draft || draft.broken) return;
    const inFlight = this.store.firstRowInFlight(fileId, draft.cursor);
    await this.writeRows(draft, inFlight === undefined ? draft.lastId : inFlight - 1, true);
  }

  /** A new draft when the file is read, big enough, and shows no other file's rows. */
  private async begin(fileId: number): Promise<Draft | undefined> {
    const file = this.store.getFile(fileId);
    if (file?.state === 'reading') return undefined; // asked again once it is read
    const range = fileRowRange(this.store.db, fileId);
    if (
      file?.state !== 'submitting' ||
      range === undefined ||
      range.lastId - range.firstId + 1 < DRAFT_MIN_ROWS ||
      this.store.repeatsOtherFiles(fileId)
    ) {
      this.refused.add(fileId);
      return undefined;
    }
    const folder = join(this.processedDir, dirname(file.inboxPath));
    await mkdir(folder, { recursive: true });
    const writer = await ReportWriter.create(folder, this.layoutOf(fileId), '.draft', this.workbooks);
    const draft: Draft = {
      fileId,
      writer,
      tally: new ReportTally(),
      cursor: range.firstId - 1,
      lastId: range.lastId,
      outsideChanges: this.store.outsideChanges(fileId),
      catalogueFetchedAt: this.store.catalogueFetchedAt(),
      broken: false,
    };
    this.drafts.set(fileId, draft);
    return draft;
  }

  /** Writes rows (cursor, upTo], a slice at a time; `yielding` lets replies in between slices. */
  private async writeRows(draft: Draft, upTo: number, yielding: boolean): Promise<void> {
    while (draft.cursor < upTo && !this.closed) {
      const sliceEnd = Math.min(upTo, draft.cursor + ROWS_PER_SLICE);
      const slice = { firstId: draft.cursor + 1, lastId: sliceEnd };
      // The slice's rows are read whole first: the writes below may wait, and the store moves on meanwhile.
      const rows = [...reportSourceRows(this.store.db, draft.fileId, draft.tally, slice)];
      for (const row of rows) {
        const full = draft.writer.add(toReportRow(row));
        if (full) await full;
      }
      draft.cursor = sliceEnd;
      if (yielding) await setImmediatePromise();
    }
  }
}
