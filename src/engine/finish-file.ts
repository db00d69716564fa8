import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';
import { buildSummary, writeJsonAtomic, writeReport, type FileSummary } from '../report/index.js';
import { toReportRow } from '../report/report-row.js';
import { fileCounts, fileServices, reportSourceRows } from '../store/report-queries.js';
import type { Store } from '../store/store.js';
import type { FileRecord } from '../store/types.js';
import { splitInboxPath } from '../watch/inbox-paths.js';
import { chooseProcessedStem, moveOriginal, processedPaths } from '../watch/processed-files.js';

export interface FinishOptions {
  inboxDir: string;
  processedDir: string;
  simulated: boolean;
}

export interface FinishEvents {
  /** A file's report was written for the first time. */
  onFileReported(fileId: number, summary: FileSummary): void;
}

/**
 * Turns a settled file into its outputs: the processed/ name is recorded first, then the report
 * and summary are written (atomically, from the store), then the original is moved, then the
 * file is `done`. Each step can be repeated, so a crash anywhere is repaired by running again.
 * Later changes to a done file's rows re-render its report in place.
 */
export class FileFinisher {
  /** One render at a time per file; a request during a render runs once more after it. */
  private readonly running = new Map<number, Promise<void>>();
  private readonly again = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly options: FinishOptions,
    private readonly logger: Logger,
    private readonly events: FinishEvents,
  ) {}

  /** Report (or re-report) a file; resolves when its outputs are up to date. */
  finish(fileId: number): Promise<void> {
    const current = this.running.get(fileId);
    if (current) {
      this.again.add(fileId);
      return current;
    }
    const run = this.finishNow(fileId)
      .catch((error: unknown) => {
        this.logger.error({ fileId, err: error }, 'writing the report failed; it will be tried again');
      })
      .finally(() => {
        this.running.delete(fileId);
        if (this.again.delete(fileId)) void this.finish(fileId);
      });
    this.running.set(fileId, run);
    return run;
  }

  /** Waits for every report being written (shutdown, `run-once`). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private async finishNow(fileId: number): Promise<void> {
    let file = this.store.getFile(fileId);
    if (!file) return;
    if (file.state === 'submitting') {
      if (!this.store.isFileSettled(fileId)) return;
      const stem = await chooseProcessedStem(this.options.processedDir, file.inboxPath, (s) => this.store.isStemTaken(s));
      this.store.beginReporting(fileId, stem, new Date().toISOString());
      file = this.store.getFile(fileId) as FileRecord;
    }
    if (file.state !== 'reporting' && file.state !== 'done') return;
    const version = this.store.reportVersion(fileId);
    const summary = await this.render(file);
    if (file.state === 'reporting') {
      const { extension } = splitInboxPath(file.inboxPath);
      const paths = processedPaths(this.options.processedDir, file.processedStem as string, extension);
      await moveOriginal(join(this.options.inboxDir, file.inboxPath), paths.original);
      this.store.markDone(fileId, version);
      this.logger.info({ ...summary }, 'file reported');
      this.events.onFileReported(fileId, summary);
    } else {
      this.store.markRendered(fileId, version);
    }
  }

  private async render(file: FileRecord): Promise<FileSummary> {
    const { extension } = splitInboxPath(file.inboxPath);
    const paths = processedPaths(this.options.processedDir, file.processedStem as string, extension);
    await mkdir(dirname(paths.report), { recursive: true });
    const { db } = this.store;
    await writeReport(paths.report, (function* rows() {
      for (const row of reportSourceRows(db, file.id)) yield toReportRow(row);
    })());
    const counts = fileCounts(db, file.id);
    const repeatOf = file.repeatOf === null ? undefined : this.store.getFile(file.repeatOf);
    const summary = buildSummary({
      file: file.inboxPath,
      service: fileServices(db, file.id).join(',') || (file.folderServiceId ?? ''),
      rows: counts.rows,
      accepted: counts.accepted,
      duplicates: counts.duplicates,
      invalid: counts.invalid,
      failed: counts.failed,
      unconfirmed: counts.unconfirmed,
      apiCalls: file.apiCalls,
      startedAt: file.startedAt,
      finishedAt: file.finishedAt,
      final: counts.pending === 0,
      simulated: this.options.simulated,
      error: file.error ?? undefined,
      pending: counts.pending,
      reportFile: paths.report.slice(dirname(paths.report).length + 1),
      repeatOf: repeatOf?.processedStem ? `${repeatOf.processedStem}.report.csv` : undefined,
    });
    await writeJsonAtomic(paths.summary, summary);
    return summary;
  }
}
