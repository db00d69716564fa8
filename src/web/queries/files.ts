/**
 * The Files page: every file the daemon took in, newest first, searchable by name, filterable by
 * status, a page at a time. The files table is small next to the rows (one file per hundreds or
 * thousands of rows), so paging it by id is quick; only the page's own files have their rows
 * counted, each through the rows_by_file index.
 */
import type { Db } from '../../store/db.js';
import { durationMs } from '../../report/summary.js';
import { fileStatus, stateCounts, successRateOf, type FileStatus, type StateCounts } from './file-counts.js';
import type { FileRecordRow } from './now.js';

/** What the status filter offers; `in-progress` covers reading, sending and reporting. */
export const STATUS_FILTERS = ['all', 'in-progress', 'done', 'refused', 'read-in-part', 'repeat'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export function isStatusFilter(value: string): value is StatusFilter {
  return (STATUS_FILTERS as readonly string[]).includes(value);
}

const FILTER_SQL: Record<StatusFilter, string> = {
  all: '1',
  'in-progress': `state IN ('reading', 'submitting', 'reporting')`,
  done: `state = 'done' AND error IS NULL AND repeat_of IS NULL`,
  refused: `state = 'done' AND error IS NOT NULL AND rows_total = 0`,
  'read-in-part': `state = 'done' AND error IS NOT NULL AND rows_total > 0`,
  repeat: `state = 'done' AND error IS NULL AND repeat_of IS NOT NULL`,
};

export interface FileListItem {
  id: number;
  name: string;
  status: FileStatus;
  rows: number;
  accepted: number;
  duplicates: number;
  invalid: number;
  failed: number;
  unconfirmed: number;
  /** Still being sent or checked. */
  pending: number;
  /** accepted / rows; null without rows. */
  successRate: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Why the file was refused or read only in part. */
  error: string | null;
  /** Downloads, once the report is written (`done`). */
  reportUrl: string | null;
  summaryUrl: string | null;
}

export interface FileListQuery {
  /** Part of the name, any case; `%` and `_` match themselves. */
  q: string;
  status: StatusFilter;
  /** 1-based. */
  page: number;
  pageSize: number;
}

export interface FileList {
  files: FileListItem[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

/** Counts of a done file barely change; a file of a million rows is counted once a minute at most. */
const DONE_COUNTS_TTL_MS = 60_000;
/** Keyed by database file and file id: one process may read more than one store (tests do). */
const doneCounts = new Map<string, { at: number; counts: StateCounts }>();

function countsOf(db: Db, file: FileRecordRow, now: number): StateCounts {
  if (file.state !== 'done') return stateCounts(db, file.id);
  const key = `${db.name}#${file.id}`;
  const cached = doneCounts.get(key);
  if (cached && now - cached.at < DONE_COUNTS_TTL_MS) return cached.counts;
  const counts = stateCounts(db, file.id);
  if (doneCounts.size > 5000) doneCounts.clear();
  doneCounts.set(key, { at: now, counts });
  return counts;
}

export function toListItem(file: FileRecordRow, counts: StateCounts): FileListItem {
  const done = file.state === 'done';
  return {
    id: file.id,
    name: file.name,
    status: fileStatus(file.state, file.error, file.rowsTotal, file.repeatOf),
    rows: Math.max(file.rowsTotal, counts.stored),
    accepted: counts.ordered,
    duplicates: counts.duplicates,
    invalid: counts.invalid,
    failed: counts.failed,
    unconfirmed: counts.unconfirmed,
    pending: counts.toSend + counts.checking,
    successRate: successRateOf(counts),
    startedAt: file.startedAt,
    finishedAt: file.finishedAt,
    durationMs: durationMs(file.startedAt, file.finishedAt),
    error: file.error,
    reportUrl: done ? `/files/${file.id}/report` : null,
    summaryUrl: done ? `/files/${file.id}/summary` : null,
  };
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export function listFiles(db: Db, query: FileListQuery, now = Date.now()): FileList {
  const where: string[] = [FILTER_SQL[query.status]];
  const params: string[] = [];
  if (query.q.trim() !== '') {
    where.push(`inbox_path LIKE ? ESCAPE '\\'`);
    params.push(likePattern(query.q.trim()));
  }
  const condition = where.join(' AND ');
  const total = db.prepare(`SELECT COUNT(*) FROM files WHERE ${condition}`).pluck().get(...params) as number;
  const pages = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(Math.max(1, query.page), pages);
  const files = db
    .prepare(
      `SELECT id, inbox_path AS name, state, error, rows_total AS rowsTotal, repeat_of AS repeatOf,
              started_at AS startedAt, finished_at AS finishedAt
         FROM files WHERE ${condition} ORDER BY id DESC LIMIT ? OFFSET ?`,
    )
    .all(...params, query.pageSize, (page - 1) * query.pageSize) as FileRecordRow[];
  return {
    files: files.map((file) => toListItem(file, countsOf(db, file, now))),
    total,
    page,
    pageSize: query.pageSize,
    pages,
  };
}

/** One file's facts for its downloads: where its report and summary were written. */
export function processedStemOf(db: Db, fileId: number): { stem: string | null; state: string } | undefined {
  return db.prepare('SELECT processed_stem AS stem, state FROM files WHERE id = ?').get(fileId) as
    | { stem: string | null; state: string }
    | undefined;
}
