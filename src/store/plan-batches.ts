import type { Db } from './db.js';

export interface PlanOptions {
  /** Only rows with this id or a higher one are looked at (they are the only unplanned ones). */
  fromId?: number;
  /**
   * Plan only full batches and leave the rest unplanned: while a file is still being read, a
   * short batch now would cost a call that the next chunk's rows could have shared.
   */
  fullOnly?: boolean;
}

export interface PlanOutcome {
  batches: number;
  /** The lowest id of a row left unplanned (`fullOnly`), or undefined when none is. */
  firstUnplannedId: number | undefined;
}

/**
 * Cuts a file's rows that wait to be sent (`queued`, or `unknown` and waiting to be resubmitted)
 * and belong to no batch into batches of `batchSize` per service, oldest rows first. Called
 * inside the caller's transaction: per chunk while a file is read, at the end of its intake,
 * and when the retry job sends rows again.
 */
export function planBatches(db: Db, fileId: number, batchSize: number, now: string, options: PlanOptions = {}): PlanOutcome {
  // Unplanned rows are found by walking the table in id order from the first that may be one
  // (NOT INDEXED: through rows_by_file, the two states would need a sort of every match per page).
  const fromId = options.fromId ?? ((db.prepare('SELECT MIN(id) FROM rows WHERE file_id = ?').pluck().get(fileId) as number | null) ?? 0);
  const services = db
    .prepare(
      `SELECT DISTINCT service_id FROM rows NOT INDEXED
        WHERE id >= ? AND file_id = ? AND state IN ('queued', 'unknown') AND batch_id IS NULL ORDER BY service_id`,
    )
    .pluck()
    .all(fromId, fileId) as string[];
  const insertBatch = db.prepare(
    `INSERT INTO batches (file_id, service_id, state, created_at, updated_at) VALUES (?, ?, 'planned', ?, ?)`,
  );
  // The page is the first rows in id order, so exactly the matching rows between its ends: one
  // range update per batch instead of one per row.
  const assign = db.prepare(
    `UPDATE rows NOT INDEXED SET batch_id = ?
      WHERE file_id = ? AND service_id = ? AND state IN ('queued', 'unknown') AND batch_id IS NULL AND id BETWEEN ? AND ?`,
  );
  const pageOfRows = db.prepare(
    `SELECT id FROM rows NOT INDEXED
      WHERE file_id = ? AND service_id = ? AND state IN ('queued', 'unknown') AND batch_id IS NULL AND id > ?
      ORDER BY id LIMIT ?`,
  );
  let batches = 0;
  let firstUnplannedId: number | undefined;
  for (const serviceId of services) {
    let afterId = fromId - 1;
    for (;;) {
      const ids = pageOfRows.pluck().all(fileId, serviceId, afterId, batchSize) as number[];
      const first = ids[0];
      if (first === undefined) break;
      if (options.fullOnly === true && ids.length < batchSize) {
        firstUnplannedId = Math.min(firstUnplannedId ?? first, first);
        break;
      }
      const batchId = Number(insertBatch.run(fileId, serviceId, now, now).lastInsertRowid);
      afterId = ids[ids.length - 1] as number;
      assign.run(batchId, fileId, serviceId, first, afterId);
      batches += 1;
    }
  }
  return { batches, firstUnplannedId };
}
