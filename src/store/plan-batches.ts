import type { Db } from './db.js';

/**
 * Cuts a file's rows that wait to be sent (`queued`, or `unknown` and waiting to be resubmitted)
 * and belong to no batch into batches of `batchSize` per service, oldest rows first. Called
 * inside the caller's transaction: at the end of a file's intake (what the chunks left, see
 * ChunkPlanner) and when the retry job sends rows again. Each service is walked from its own
 * first unplanned row.
 */
export function planBatches(db: Db, fileId: number, batchSize: number, now: string): number {
  const starts = unplannedStarts(db, fileId);
  const insertBatch = db.prepare(
    `INSERT INTO batches (file_id, service_id, state, created_at, updated_at) VALUES (?, ?, 'planned', ?, ?)`,
  );
  // The page is the first rows in id order, so exactly the matching rows between its ends: one
  // range update per batch instead of one per row. NOT INDEXED: walked by id from the service's
  // first unplanned row; through rows_by_file, the two states would need a sort per page.
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
  for (const [serviceId, start] of [...starts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let afterId = start - 1;
    for (;;) {
      const ids = pageOfRows.pluck().all(fileId, serviceId, afterId, batchSize) as number[];
      const first = ids[0];
      if (first === undefined) break;
      const batchId = Number(insertBatch.run(fileId, serviceId, now, now).lastInsertRowid);
      afterId = ids[ids.length - 1] as number;
      assign.run(batchId, fileId, serviceId, first, afterId);
      batches += 1;
    }
  }
  return batches;
}

/** Per service, the first row of the file waiting for a batch (through rows_by_file). */
function unplannedStarts(db: Db, fileId: number): Map<string, number> {
  const rows = db
    .prepare(
      `SELECT service_id AS serviceId, MIN(id) AS firstId FROM rows
        WHERE file_id = ? AND state IN ('queued', 'unknown') AND batch_id IS NULL GROUP BY service_id`,
    )
    .all(fileId) as { serviceId: string; firstId: number }[];
  return new Map(rows.map((row) => [row.serviceId, row.firstId]));
}
