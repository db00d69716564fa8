/**
 * The Now page's reads: files in flight with their progress, open orders, the alert state.
 * Each is an indexed lookup (files_by_state, orders_open, the small alert tables), so they
 * can run every second while a page is open.
 */
import type { Db } from '../../store/db.js';
import type { FileState } from '../../store/types.js';
import { formatProgressLine } from '../../report/summary-line.js';
import { formatCount } from '../format.js';
import { fileStatus, stateCounts, type FileStatus, type StateCounts } from './file-counts.js';

export interface FileProgress extends StateCounts {
  id: number;
  name: string;
  state: FileState;
  status: FileStatus;
  /** All of the file's rows: the stored rows while it is still being read. */
  rows: number;
  /** Ordered rows whose result is in (Completed or Rejected). */
  withResult: number;
  /** Rows with an outcome: everything but those still to send or being checked, 0..100. */
  percent: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Set once the file is done: its downloads. */
  reportUrl: string | null;
  /** In words: `3,200 of 6,000 rows (53%), 410 rows/s, about 7 s left`. */
  summary: string;
}

export interface FileRecordRow {
  id: number;
  name: string;
  state: FileState;
  error: string | null;
  rowsTotal: number;
  repeatOf: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const FILE_COLUMNS = `id, inbox_path AS name, state, error, rows_total AS rowsTotal, repeat_of AS repeatOf,
  started_at AS startedAt, finished_at AS finishedAt`;

export function filesInFlight(db: Db): FileRecordRow[] {
  return db
    .prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE state IN ('reading', 'submitting', 'reporting') ORDER BY id`)
    .all() as FileRecordRow[];
}

export function fileRecord(db: Db, fileId: number): FileRecordRow | undefined {
  return db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE id = ?`).get(fileId) as FileRecordRow | undefined;
}

/** Progress of one file; `withResult` comes from the caller, who decides how fresh it must be. */
export function fileProgress(db: Db, file: FileRecordRow, withResult: number, now = Date.now()): FileProgress {
  const counts = stateCounts(db, file.id);
  const rows = Math.max(file.rowsTotal, counts.stored);
  const open = counts.toSend + counts.checking;
  const reading = file.state === 'reading';
  const percent = rows === 0 ? (reading ? 0 : 100) : Math.floor(((rows - open) / rows) * 100);
  return {
    ...counts,
    id: file.id,
    name: file.name,
    state: file.state,
    status: fileStatus(file.state, file.error, file.rowsTotal, file.repeatOf),
    rows,
    withResult,
    // A file still being read is not done, whatever its rows so far say.
    percent: reading ? Math.min(percent, 99) : percent,
    startedAt: file.startedAt,
    finishedAt: file.finishedAt,
    reportUrl: file.state === 'done' ? `/files/${file.id}/report` : null,
    summary: reading
      ? `reading: ${formatCount(counts.stored)} rows so far`
      : file.state === 'done'
        ? `done: ${formatCount(rows)} rows, ${formatCount(counts.ordered)} ordered`
        : formatProgressLine({ file: file.name, rows, done: rows - open, startedAt: file.startedAt }, now).slice(file.name.length + 2),
  };
}

export interface OpenOrders {
  count: number;
  oldestPlacedAt: string | null;
}

/**
 * The oldest is the open order with the lowest rowid (orders are appended as they are placed):
 * the first entry of the orders_open index, where MIN(placed_at) read every open order.
 */
export function openOrders(db: Db): OpenOrders {
  const count = db.prepare('SELECT COUNT(*) FROM orders WHERE final = 0').pluck().get() as number;
  const oldest = db.prepare('SELECT placed_at FROM orders WHERE final = 0 ORDER BY rowid LIMIT 1').pluck().get() as string | undefined;
  return { count, oldestPlacedAt: oldest ?? null };
}

export interface AlertState {
  /** Conditions raised and not cleared: `low-success`, `credentials`, `unreachable`, `output-blocked`. */
  standing: { kind: string; message: string; since: string }[];
  lastMail: { sentAt: string; subject: string | null } | null;
  /** The earliest the next alert mail may go (one per `alerts.minIntervalMinutes`); null when none was mailed. */
  nextMailAllowedAt: string | null;
  /** Alerts raised and not yet in a mail. */
  queued: number;
  /** The last alert raised, to tell "recovered" from "still below the threshold". */
  lastAlert: { kind: string; raisedAt: string } | null;
  /** A low-success alert was followed by a recovery and nothing stands now. */
  recovered: boolean;
}

export function alertState(db: Db, minIntervalMinutes: number): AlertState {
  const standing = db.prepare('SELECT kind, message, since FROM alert_conditions ORDER BY since').all() as AlertState['standing'];
  const meta = (key: string): string | null =>
    (db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  const sentAt = meta('lastAlertSentAt');
  const lastSmtp = db.prepare(`SELECT MAX(sent_at) FROM alert_mails WHERE delivery = 'smtp'`).pluck().get() as string | null;
  const queued = db.prepare('SELECT COUNT(*) FROM alerts WHERE mail_id IS NULL').pluck().get() as number;
  const lastAlert = (db.prepare('SELECT kind, raised_at AS raisedAt FROM alerts ORDER BY id DESC LIMIT 1').get() ?? null) as
    | AlertState['lastAlert']
    | null;
  return {
    standing,
    lastMail: sentAt ? { sentAt, subject: meta('lastAlertSubject') } : null,
    nextMailAllowedAt: lastSmtp ? new Date(Date.parse(lastSmtp) + minIntervalMinutes * 60_000).toISOString() : null,
    queued,
    lastAlert,
    recovered: lastAlert?.kind === 'recovered' && standing.length === 0,
  };
}

/** The files that finished most recently, newest first, for the Now page's "just finished". */
export function recentlyFinished(db: Db, limit: number): FileRecordRow[] {
  return db
    .prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE state = 'done' ORDER BY id DESC LIMIT ?`)
    .all(limit) as FileRecordRow[];
}
