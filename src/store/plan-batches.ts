import type { Db } from './db.js';

/**
 * Cuts a file's rows that wait to be sent (`queued`, or `unknown` and waiting to be resubmitted)
 * and belong to no batch into batches of `batchSize` per service, oldest rows first. Called
 * inside the caller's transaction: at intake, and when the retry job sends rows again.
 */
export function planBatches(db: Db, fileId: number, batchSize: number, now: string): number {
  const services = db
    .prepare(
      `SELECT DISTINCT service_id FROM rows
        WHERE file_id = ? AND state IN ('queued', 'unknown') AND batch_id IS NULL ORDER BY service_id`,
    )
    .pluck()
    .all(fileId) as string[];
  const insertBatch = db.prepare(
    `INSERT INTO batches (file_id, service_id, state, created_at, updated_at) VALUES (?, ?, 'planned', ?, ?)`,
  );
  // The page is the first rows in id order, so exactly the matching rows between its ends: one
  // range update per batch instead of one per row.
  const assign = db.prepare(
    `UPDATE rows SET batch_id = ?
      WHERE file_id = ? AND service_id = ? AND state IN ('queued', 'unknown') AND batch_id IS NULL AND id BETWEEN ? AND ?`,
  );
  const pageOfRows = db.prepare(
    `SELECT id FROM rows
      WHERE file_id = ? AND service_id = ? AND state IN ('queued', 'unknown') AND batch_id IS NULL AND id > ?
      ORDER BY id LIMIT ?`,
  );
  let batches = 0;
  for (const serviceId of services) {
    let afterId = 0;
    for (;;) {
      const ids = pageOfRows.pluck().all(fileId, serviceId, afterId, batchSize) as number[];
      if (ids.length === 0) break;
      const batchId = Number(insertBatch.run(fileId, serviceId, now, now).lastInsertRowid);
      afterId = ids[ids.length - 1] as number;
      assign.run(batchId, fileId, serviceId, ids[0] as number, afterId);
      batches += 1;
    }
  }
  return batches;
}
