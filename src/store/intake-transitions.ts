import type { Db } from './db.js';
import { planBatches } from './plan-batches.js';

export interface NewFile {
  inboxPath: string;
  sha256: string;
  size: number;
  folderServiceId: string | null;
  now: string;
}

/** A row as intake decided it: either valid and queued, or invalid with the reason. */
export interface NewRow {
  line: number;
  rawImei: string;
  imei: string | null;
  serviceId: string;
  note: string;
}

export interface IntakeCounts {
  rows: number;
  queued: number;
  invalid: number;
  duplicates: number;
  batches: number;
}

/**
 * Transitions of the intake step: a file is recorded as `reading`, its rows are appended in
 * chunks, and `finishIntake` turns it into `submitting` in one transaction (duplicates marked,
 * batches planned). A crash before that discards the partial rows (`discardUnfinishedReads`).
 */
export class IntakeTransitions {
  constructor(private readonly db: Db) {}

  createFile(file: NewFile): number {
    const result = this.db
      .prepare(
        `INSERT INTO files (inbox_path, sha256, size, folder_service_id, state, created_at, started_at)
         VALUES (?, ?, ?, ?, 'reading', ?, ?)`,
      )
      .run(file.inboxPath, file.sha256, file.size, file.folderServiceId, file.now, file.now);
    return Number(result.lastInsertRowid);
  }

  /** An earlier finished file with the same bytes, if any. */
  findEarlierFileWithHash(sha256: string, exceptFileId: number): number | undefined {
    return this.db
      .prepare(
        `SELECT id FROM files WHERE sha256 = ? AND id <> ? AND state <> 'reading' AND error IS NULL ORDER BY id LIMIT 1`,
      )
      .pluck()
      .get(sha256, exceptFileId) as number | undefined;
  }

  /** Appends one chunk of rows in one transaction (a chunk, not the file: intake streams). */
  appendRows(fileId: number, rows: readonly NewRow[], now: string): void {
    const insert = this.db.prepare(
      `INSERT INTO rows (file_id, line, raw_imei, imei, service_id, state, note, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const row of rows) {
        insert.run(fileId, row.line, row.rawImei, row.imei, row.serviceId, row.imei ? 'queued' : 'invalid', row.note, now);
      }
    })();
  }

  /** `reading -> submitting` with an error: the whole file was refused and only gets reported. */
  rejectFile(fileId: number, error: string, now: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM rows WHERE file_id = ?').run(fileId);
      this.db
        .prepare(`UPDATE files SET state = 'submitting', error = ?, rows_total = 0, finished_at = ? WHERE id = ?`)
        .run(error, now, fileId);
    })();
  }

  /**
   * `reading -> submitting`: marks repeats inside the file and against earlier files, then cuts
   * the remaining queued rows into batches of `batchSize` per service. All in one transaction,
   * so a file is either fully planned or still `reading`.
   */
  finishIntake(fileId: number, batchSize: number, repeatOf: number | undefined, now: string): IntakeCounts {
    return this.db.transaction(() => {
      if (repeatOf !== undefined) this.markRepeatOfFile(fileId, repeatOf, now);
      this.markRepeatsWithinFile(fileId, now);
      this.markRepeatsOfEarlierFiles(fileId, now);
      const batches = planBatches(this.db, fileId, batchSize, now);
      const counts = this.db
        .prepare(
          `SELECT COUNT(*) AS rows,
                  COALESCE(SUM(state = 'queued'), 0) AS queued,
                  COALESCE(SUM(state = 'invalid'), 0) AS invalid,
                  COALESCE(SUM(state = 'duplicate'), 0) AS duplicates
             FROM rows WHERE file_id = ?`,
        )
        .get(fileId) as Omit<IntakeCounts, 'batches'>;
      this.db
        .prepare(`UPDATE files SET state = 'submitting', rows_total = ?, repeat_of = ? WHERE id = ?`)
        .run(counts.rows, repeatOf ?? null, fileId);
      return { ...counts, batches };
    })();
  }

  /** The same bytes were processed before: nothing is sent again; rows point at the earlier file. */
  private markRepeatOfFile(fileId: number, earlierFileId: number, now: string): void {
    const earlier = this.db.prepare('SELECT inbox_path, processed_stem FROM files WHERE id = ?').get(earlierFileId) as
      | { inbox_path: string; processed_stem: string | null }
      | undefined;
    const where = earlier?.processed_stem ? `processed/${earlier.processed_stem}.report.csv` : earlier?.inbox_path;
    this.db
      .prepare(
        `UPDATE rows SET state = 'duplicate', updated_at = ?,
                note = 'the same file was already processed: see ' || ? || ', row ' || line
          WHERE file_id = ? AND state = 'queued'`,
      )
      .run(now, where ?? 'the earlier report', fileId);
  }

  private markRepeatsWithinFile(fileId: number, now: string): void {
    this.db
      .prepare(
        `UPDATE rows SET state = 'duplicate', updated_at = ?,
                duplicate_of = (SELECT MIN(first.id) FROM rows AS first
                                 WHERE first.file_id = rows.file_id AND first.imei = rows.imei
                                   AND first.service_id = rows.service_id AND first.state = 'queued'),
                note = 'same IMEI as row ' || (SELECT first.line FROM rows AS first
                                 WHERE first.file_id = rows.file_id AND first.imei = rows.imei
                                   AND first.service_id = rows.service_id AND first.state = 'queued'
                                 ORDER BY first.id LIMIT 1) || ' of this file'
          WHERE file_id = ? AND state = 'queued'
            AND EXISTS (SELECT 1 FROM rows AS first
                         WHERE first.file_id = rows.file_id AND first.imei = rows.imei
                           AND first.service_id = rows.service_id AND first.state = 'queued' AND first.id < rows.id)`,
      )
      .run(now, fileId);
  }

  /**
   * A row whose IMEI and service an earlier file already ordered (or sent in a call whose outcome
   * is unknown) is not sent again. One still waiting or being sent is not enough: if it then
   * fails, this row would be reported as sent and never ordered; sending both is safe, since the
   * provider refuses (and does not charge) the second.
   * (SQLite takes the bare columns from the row that holds the MIN: the earliest such row.)
   */
  private markRepeatsOfEarlierFiles(fileId: number, now: string): void {
    const candidates = this.db
      .prepare(
        `SELECT r.id AS rowId, MIN(e.id) AS earlierId, e.order_id AS orderId, f.inbox_path AS earlierFile, e.line AS earlierLine
           FROM rows AS r
           JOIN rows AS e ON e.imei = r.imei AND e.service_id = r.service_id AND e.file_id <> r.file_id
                          AND e.state IN ('ordered', 'unknown', 'unconfirmed')
           JOIN files AS f ON f.id = e.file_id
          WHERE r.file_id = ? AND r.state = 'queued' AND e.id < r.id
          GROUP BY r.id`,
      )
      .all(fileId) as { rowId: number; earlierId: number; orderId: string | null; earlierFile: string; earlierLine: number }[];
    const update = this.db.prepare(
      `UPDATE rows SET state = 'duplicate', duplicate_of = ?, note = ?, updated_at = ? WHERE id = ?`,
    );
    for (const c of candidates) {
      const order = c.orderId ? `order ${c.orderId}` : 'an order';
      update.run(c.earlierId, `already sent: ${order} from ${c.earlierFile}, row ${c.earlierLine}`, now, c.rowId);
    }
  }

  /** Forgets a read that did not finish: its rows are dropped and the file is read again later. */
  discardRead(fileId: number): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM rows WHERE file_id = ?`).run(fileId);
      this.db.prepare(`DELETE FROM batches WHERE file_id = ?`).run(fileId);
      this.db.prepare(`DELETE FROM files WHERE id = ? AND state = 'reading'`).run(fileId);
    })();
  }

  /** Files a crash left half-read: their rows are dropped and the file is read again. */
  discardUnfinishedReads(): number {
    const ids = this.db.prepare(`SELECT id FROM files WHERE state = 'reading'`).pluck().all() as number[];
    for (const id of ids) this.discardRead(id);
    return ids.length;
  }
}
