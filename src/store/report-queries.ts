import type { Db } from './db.js';
import type { ReportSourceRow } from './types.js';

/** Rows read per query: the report streams from the store, whatever the file's size. */
const PAGE_SIZE = 2000;

/**
 * Every row of a file in input order, joined with its order and service, page by page (a
 * better-sqlite3 iterator would hold the connection busy while the report is written).
 */
export function* reportSourceRows(db: Db, fileId: number): Generator<ReportSourceRow> {
  const page = db.prepare(
    `SELECT r.id, r.line, r.raw_imei AS rawImei, r.imei, r.service_id AS serviceId, r.state, r.note,
            r.order_id AS orderId, r.unknown_since AS unknownSince,
            o.status AS orderStatus, o.code AS orderCode, o.requested_at AS requestedAt, o.placed_at AS placedAt,
            s.title AS serviceTitle, s.price AS servicePrice
       FROM rows AS r
       LEFT JOIN orders AS o ON o.order_id = r.order_id
       LEFT JOIN services AS s ON s.id = r.service_id
      WHERE r.file_id = ? AND r.id > ?
      ORDER BY r.id LIMIT ?`,
  );
  let afterId = 0;
  for (;;) {
    const rows = page.all(fileId, afterId, PAGE_SIZE) as (ReportSourceRow & { id: number })[];
    for (const row of rows) yield row;
    if (rows.length < PAGE_SIZE) return;
    afterId = (rows[rows.length - 1] as { id: number }).id;
  }
}

export interface FileCounts {
  rows: number;
  accepted: number;
  duplicates: number;
  invalid: number;
  failed: number;
  /** Unconfirmed, plus rows whose call never answered and that wait to be resubmitted. */
  unconfirmed: number;
  /** Rows without a final state yet. */
  pending: number;
}

/** The summary's counts, straight from the rows. */
export function fileCounts(db: Db, fileId: number): FileCounts {
  return db
    .prepare(
      `SELECT COUNT(*) AS rows,
              COALESCE(SUM(r.state = 'ordered'), 0) AS accepted,
              COALESCE(SUM(r.state = 'duplicate'), 0) AS duplicates,
              COALESCE(SUM(r.state = 'invalid'), 0) AS invalid,
              COALESCE(SUM(r.state = 'failed'), 0) AS failed,
              COALESCE(SUM(r.state IN ('unconfirmed', 'unknown')), 0) AS unconfirmed,
              COALESCE(SUM(r.state IN ('queued', 'sending', 'unknown')
                           OR (r.state = 'failed' AND r.next_attempt_at IS NOT NULL)
                           OR (r.state = 'ordered' AND COALESCE(o.final, 0) = 0)), 0) AS pending
         FROM rows AS r LEFT JOIN orders AS o ON o.order_id = r.order_id
        WHERE r.file_id = ?`,
    )
    .get(fileId) as FileCounts;
}

/** The services a file's rows name, for the summary's `service`. */
export function fileServices(db: Db, fileId: number): string[] {
  return db
    .prepare('SELECT DISTINCT service_id FROM rows WHERE file_id = ? ORDER BY service_id')
    .pluck()
    .all(fileId) as string[];
}
