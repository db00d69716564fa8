import type { Db } from './db.js';
import type { FileProgress } from '../report/summary-line.js';

/** Files being submitted, with how many of their rows have an outcome. */
export function filesInProgress(db: Db): (FileProgress & { fileId: number; state: string })[] {
  return db
    .prepare(
      `SELECT f.id AS fileId, f.inbox_path AS file, f.state, f.rows_total AS rows, f.started_at AS startedAt,
              CASE WHEN f.state = 'reading' THEN 0
                   ELSE f.rows_total - (SELECT COUNT(*) FROM rows r WHERE r.file_id = f.id AND r.state IN ('queued', 'sending'))
              END AS done
         FROM files f WHERE f.state IN ('reading', 'submitting', 'reporting') ORDER BY f.id`,
    )
    .all() as (FileProgress & { fileId: number; state: string })[];
}
