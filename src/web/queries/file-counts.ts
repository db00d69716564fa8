/**
 * A file's rows counted by what the dashboard shows of them. One GROUP BY over the rows_by_file
 * index (file_id, state) reads nothing but that index, so it stays quick for a big file; the
 * join to orders (rows with a final result) is asked separately, since it reads every ordered row.
 */
import type { Db } from '../../store/db.js';
import type { FileState, RowState } from '../../store/types.js';

export interface StateCounts {
  /** Rows stored so far (all of them once the file is read). */
  stored: number;
  /** Ordered: the provider holds an order (its result may still be out). */
  ordered: number;
  duplicates: number;
  invalid: number;
  failed: number;
  unconfirmed: number;
  /** Sent without a known outcome: being resubmitted or their order id looked up. */
  checking: number;
  /** Queued or being sent. */
  toSend: number;
}

export function emptyCounts(): StateCounts {
  return { stored: 0, ordered: 0, duplicates: 0, invalid: 0, failed: 0, unconfirmed: 0, checking: 0, toSend: 0 };
}

const COUNTED_AS: Record<RowState, keyof StateCounts> = {
  ordered: 'ordered',
  duplicate: 'duplicates',
  invalid: 'invalid',
  failed: 'failed',
  unconfirmed: 'unconfirmed',
  unknown: 'checking',
  recovering: 'checking',
  queued: 'toSend',
  sending: 'toSend',
};

/** Counts of one file's rows by state. */
export function stateCounts(db: Db, fileId: number): StateCounts {
  const counts = emptyCounts();
  const rows = db.prepare('SELECT state, COUNT(*) AS n FROM rows WHERE file_id = ? GROUP BY state').all(fileId) as {
    state: RowState;
    n: number;
  }[];
  for (const { state, n } of rows) {
    counts.stored += n;
    const key = COUNTED_AS[state];
    if (key) counts[key] += n;
  }
  return counts;
}

/** Ordered rows of the file whose order has its final result (Completed or Rejected). */
export function withResultCount(db: Db, fileId: number): number {
  return db
    .prepare(
      `SELECT COUNT(*) FROM rows AS r JOIN orders AS o ON o.account_id = r.account_id AND o.order_id = r.order_id
        WHERE r.file_id = ? AND r.state = 'ordered' AND o.final = 1`,
    )
    .pluck()
    .get(fileId) as number;
}

/** A file's status in words, from its stored facts: what the Files page shows and filters by. */
export type FileStatus = 'reading' | 'sending' | 'reporting' | 'done' | 'refused' | 'read in part' | 'repeat';

export function fileStatus(state: FileState, error: string | null, rowsTotal: number, repeatOf: number | null): FileStatus {
  if (state === 'reading') return 'reading';
  if (state === 'submitting') return 'sending';
  if (state === 'reporting') return 'reporting';
  if (error && rowsTotal === 0) return 'refused';
  if (error) return 'read in part';
  if (repeatOf !== null) return 'repeat';
  return 'done';
}

/** accepted / rows, the summary's success rate; null for a file without rows. */
export function successRateOf(counts: StateCounts): number | null {
  return counts.stored === 0 ? null : counts.ordered / counts.stored;
}
