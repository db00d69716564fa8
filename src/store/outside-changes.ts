import type { Db } from './db.js';

/**
 * Marks the reports of these files stale because their rows changed outside their submission
 * (results polled, orders found or settled by id): `report_dirty` asks for a re-render and
 * `outside_changes` forbids a report draft (migration 8). Inside the caller's transaction.
 * Returns the ids in ascending order.
 */
export function markChangedOutsideSubmission(db: Db, fileIds: ReadonlySet<number>): number[] {
  const touch = db.prepare('UPDATE files SET report_dirty = report_dirty + 1, outside_changes = outside_changes + 1 WHERE id = ?');
  const ids = [...fileIds].sort((a, b) => a - b);
  for (const id of ids) touch.run(id);
  return ids;
}
