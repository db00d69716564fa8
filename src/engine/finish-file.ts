import { lstat, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StoppingError, describeError } from '../errors.js';
import { hashFile } from '../intake/index.js';
import type { Logger } from '../log.js';
import { buildSummary, writeJsonAtomic, type FileSummary } from '../report/index.js';
import { reportLayout, type ReportLayout } from '../report/report-layout.js';
import { toReportRow } from '../report/report-row.js';
import { writeReportFiles } from '../report/report-writer.js';
import { inThreadWorkbooks, type WorkbookSinks } from '../report/workbook-sink.js';
import { WorkbookThread } from '../report/workbook-thread.js';
import { fileInputFacts, reportSourceRows } from '../store/report-queries.js';
import { ReportTally } from '../store/report-tally.js';
import type { Store } from '../store/store.js';
import type { FileRecord } from '../store/types.js';
import { ReportDrafts } from './report-draft.js';
import { splitInboxPath } from '../watch/inbox-paths.js';
import { chooseProcessedStem, moveOriginal, processedPaths } from '../watch/processed-files.js';

export interface FinishOptions {
  inboxDir: string;
  processedDir: string;
  simulated: boolean;
  /**
   * Write report workbooks in a thread of their own (the daemon: their XML would otherwise take
   * the main thread's time from the provider's replies). Default false: on the calling thread.
   */
  workbookThread?: boolean;
}

export interface FinishEvents {
  /** A file's report was written: the first time (`firstTime`), or rewritten after its rows changed. */
  onReportWritten(fileId: number, summary: FileSummary, firstTime: boolean): void;
  /** Its report or the move failed (disk full, processed/ not writable); it will be retried. */
  onOutputFailed(fileId: number, error: string): void;
}

const RETRY_BASE_MS = 5_000;
/** Re-renders take at most about a tenth of the time, between these bounds. */
const REFRESH_MIN_GAP_MS = 1_000;
const REFRESH_MAX_GAP_MS = 5 * 60_000;
const RETRY_MAX_MS = 5 * 60_000;

/**
 * Turns a settled file into its outputs: the processed/ name is recorded first, then the report
 * and summary are written (atomically, from the store), then the original is moved, then the
 * file is `done`. Each step can be repeated, so a crash anywhere is repaired by running again.
 * Later changes to a done file's rows re-render its report in place.
 */
/** Whether the inbox now holds other bytes under this file's name than the ones read. */
async function replacedSinceRead(file: FileRecord, inboxPath: string): Promise<boolean> {
  if (!file.sha256) return false; // refused unread: nothing to compare, the name is what was refused
  const stats = await lstat(inboxPath).catch(() => undefined);
  if (!stats?.isFile()) return false;
  return stats.size !== file.size || (await hashFile(inboxPath)) !== file.sha256;
}

export class FileFinisher {
  /** One render at a time per file; a request during a render runs once more after it. */
  private readonly running = new Map<number, Promise<void>>();
  private readonly again = new Set<number>();
  /** Files whose outputs could not be written (disk full, processed/ not writable), retried with back-off. */
  private readonly failures = new Map<number, { count: number; error: string }>();
  private readonly retryTimers = new Map<number, NodeJS.Timeout>();
  /** A re-render put off by the gap: it runs when the gap ends, not at the next refresh tick. */
  private readonly refreshTimers = new Map<number, NodeJS.Timeout>();
  private closed = false;
  /** When each file's report may next be re-rendered by `refresh`. */
  private readonly nextRefreshAt = new Map<number, number>();
  /** First reports drafted while the last calls are in flight. */
  private readonly drafts: ReportDrafts;
  private draftsClosed: Promise<void> | undefined;
  /** Where workbooks are written: its own thread, or this one (see FinishOptions). */
  private readonly workbooks: WorkbookSinks;
  private readonly workbookThread: WorkbookThread | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: FinishOptions,
    private readonly logger: Logger,
    private readonly events: FinishEvents,
  ) {
    this.workbookThread = options.workbookThread === true ? new WorkbookThread() : undefined;
    this.workbooks = this.workbookThread ?? inThreadWorkbooks;
    this.drafts = new ReportDrafts(store, options.processedDir, (fileId) => this.layoutOf(fileId), this.workbooks);
  }

  /** Rows of this file settled (a reply was recorded, or it was read to its end): extend its draft. */
  extendDraft(fileId: number): void {
    this.drafts.extend(fileId);
  }

  /** Report (or re-report) a file; resolves when its outputs are up to date. */
  finish(fileId: number): Promise<void> {
    return this.schedule(fileId, false);
  }

  /**
   * `onlyIfChanged`: the run that requests made during a render get once it ends. For a done
   * file with no change since, it has nothing to do (every batch settling during a file's first
   * report asked for the file, and each such run wrote the whole report again). A direct request
   * always renders: its caller may judge the file on the report it gets (a retried file's alerts).
   */
  private schedule(fileId: number, onlyIfChanged: boolean): Promise<void> {
    const current = this.running.get(fileId);
    if (current) {
      this.again.add(fileId);
      return current;
    }
    const run = this.finishNow(fileId, onlyIfChanged)
      .then(() => {
        this.failures.delete(fileId);
      })
      .catch((error: unknown) => this.scheduleRetry(fileId, describeError(error)))
      .finally(() => {
        this.running.delete(fileId);
        if (this.again.delete(fileId)) void this.schedule(fileId, true);
      });
    this.running.set(fileId, run);
    return run;
  }

  /**
   * A re-render for rows that changed, at most once per gap that grows with the file: a report
   * of a million rows takes about 8 s to write, and results arrive every poll round.
   * A call inside the gap renders the file when the gap ends: the last results of a file are
   * in its report as soon as the gap allows.
   */
  refresh(fileId: number): Promise<void> {
    const waitMs = (this.nextRefreshAt.get(fileId) ?? 0) - Date.now();
    if (waitMs <= 0) return this.finish(fileId);
    if (!this.closed && !this.refreshTimers.has(fileId)) {
      const timer = setTimeout(() => {
        this.refreshTimers.delete(fileId);
        if (!this.closed) void this.finish(fileId);
      }, waitMs);
      timer.unref();
      this.refreshTimers.set(fileId, timer);
    }
    return Promise.resolve();
  }

  /** Waits for every report being written (shutdown, `run-once`); after `close`, stops the workbook thread. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
    await this.draftsClosed;
    if (this.closed) await this.workbookThread?.close();
  }

  /** Files whose last attempt to write their outputs failed, with the reason. */
  failedFiles(): { fileId: number; error: string }[] {
    return [...this.failures].map(([fileId, failure]) => ({ fileId, error: failure.error }));
  }

  /** No more retries, and a report being written is abandoned at once; safe to call twice. */
  close(): void {
    this.closed = true;
    this.draftsClosed ??= this.drafts.close();
    for (const timer of [...this.retryTimers.values(), ...this.refreshTimers.values()]) clearTimeout(timer);
    this.retryTimers.clear();
    this.refreshTimers.clear();
  }

  /** The file stays where it is (in the inbox, or reported in place) and is tried again later. */
  private scheduleRetry(fileId: number, error: string): void {
    if (this.closed) return;
    const count = (this.failures.get(fileId)?.count ?? 0) + 1;
    this.failures.set(fileId, { count, error });
    const delayMs = Math.min(RETRY_BASE_MS * 2 ** (count - 1), RETRY_MAX_MS);
    this.logger.error({ fileId, err: error, retryInMs: delayMs }, 'cannot write the report or move the file; will try again');
    this.events.onOutputFailed(fileId, error);
    if (this.closed || this.retryTimers.has(fileId)) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(fileId);
      if (!this.closed) void this.finish(fileId);
    }, delayMs);
    timer.unref();
    this.retryTimers.set(fileId, timer);
  }

  private async finishNow(fileId: number, onlyIfChanged: boolean): Promise<void> {
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
    if (onlyIfChanged && file.state === 'done' && version === 0) return;
    const renderStartedAt = Date.now();
    const summary = await this.render(file);
    const tookMs = Date.now() - renderStartedAt;
    this.nextRefreshAt.set(fileId, Date.now() + Math.min(Math.max(REFRESH_MIN_GAP_MS, tookMs * 10), REFRESH_MAX_GAP_MS));
    if (file.state === 'reporting') {
      const { extension } = splitInboxPath(file.inboxPath);
      const paths = processedPaths(this.options.processedDir, file.processedStem as string, extension);
      const inboxPath = join(this.options.inboxDir, file.inboxPath);
      if (await replacedSinceRead(file, inboxPath)) {
        // Someone dropped a new file under the same name: it is not ours to move; intake reads it next.
        this.logger.warn({ file: file.inboxPath }, 'the inbox file was replaced while this one was worked on; the new one is read next');
      } else if ((await moveOriginal(inboxPath, paths.original)) === 'missing') {
        // Removed from the inbox by someone after it was read: the store holds every row read,
        // so the report is complete without it; waiting for it would hold the file for ever.
        this.logger.warn({ file: file.inboxPath }, 'the original left the inbox before it could be moved; the report is complete without it');
      }
      this.store.markDone(fileId, version);
      this.events.onReportWritten(fileId, summary, true);
    } else {
      this.store.markRendered(fileId, version);
      this.events.onReportWritten(fileId, summary, false);
    }
  }

  /** A file's report layout: its input's other columns, and the marks of a simulated run or a re-check. */
  private layoutOf(fileId: number): ReportLayout {
    return reportLayout({ ...fileInputFacts(this.store.db, fileId), simulated: this.options.simulated });
  }

  private async render(file: FileRecord): Promise<FileSummary> {
    const { extension } = splitInboxPath(file.inboxPath);
    const paths = processedPaths(this.options.processedDir, file.processedStem as string, extension);
    await mkdir(dirname(paths.report), { recursive: true });
    const { db } = this.store;
    const isClosed = (): boolean => this.closed;
    const target = { csv: paths.report, workbook: paths.workbook };
    const facts = fileInputFacts(db, file.id);
    // The summary counts the rows as the report shows them, in the same pass.
    const drafted = file.state === 'reporting' ? await this.drafts.complete(file.id, target) : undefined;
    const tally = drafted?.tally ?? new ReportTally();
    const layout = reportLayout({ ...facts, simulated: this.options.simulated });
    const written = drafted?.written ?? await writeReportFiles(target, layout, (function* rows() {
      let written = 0;
      for (const row of reportSourceRows(db, file.id, tally)) {
        // A million-row report takes about 8 s: shutdown abandons it (the old one stays, the file
        // stays stale or in `reporting`) and the next start writes it again.
        if (++written % 1000 === 0 && isClosed()) throw new StoppingError();
        yield toReportRow(row);
      }
    })(), this.workbooks);
    if (written.workbookError !== undefined) {
      // The CSV, the contract's report, is complete; only the convenience beside it is missing.
      this.logger.warn({ file: file.inboxPath, err: written.workbookError }, 'the report workbook could not be written; the CSV report is complete');
    }
    const counts = tally.counts;
    const repeatOf = file.repeatOf === null ? undefined : this.store.getFile(file.repeatOf);
    const summary = buildSummary({
      file: file.inboxPath,
      service: tally.services().join(',') || (file.folderServiceId ?? ''),
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
      checking: counts.checking,
      unknown: counts.unknown,
      reportFile: paths.report.slice(dirname(paths.report).length + 1),
      reportWorkbook: written.workbookError === undefined ? paths.workbook.slice(dirname(paths.workbook).length + 1) : undefined,
      repeatOf: repeatOf?.processedStem ? `${repeatOf.processedStem}.report.csv` : undefined,
      recheck: facts.recheck ? true : undefined,
    });
    await writeJsonAtomic(paths.summary, summary);
    return summary;
  }
}
