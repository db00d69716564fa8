import type { Db } from './db.js';

/**
 * What bracketing calls needs of the store (src/engine/bracketing-calls.ts): whether a batch is
 * the last one planned, how many rows it has to send, and setting its last row aside in a batch
 * of its own, sent once every other call has ended.
 */
export class PacingTransitions {
  private prepared: ReturnType<PacingTransitions['prepare']> | undefined;

  constructor(private readonly db: Db) {}

  private prepare() {
    return {
      otherPlanned: this.db.prepare(`SELECT id FROM batches WHERE state = 'planned' AND id <> ? ORDER BY id LIMIT ?`).pluck(),
      plannedAbove: this.db.prepare(`SELECT id FROM batches WHERE state = 'planned' AND id > ? ORDER BY id LIMIT 1`).pluck(),
      queued: this.db.prepare(`SELECT COUNT(*) FROM rows WHERE batch_id = ? AND state = 'queued'`).pluck(),
      lastQueued: this.db.prepare(`SELECT MAX(id) FROM rows WHERE batch_id = ? AND state = 'queued'`).pluck(),
      batch: this.db.prepare('SELECT file_id AS fileId, service_id AS serviceId FROM batches WHERE id = ?'),
      insertBatch: this.db.prepare(
        `INSERT INTO batches (file_id, service_id, state, created_at, updated_at) VALUES (?, ?, 'planned', ?, ?)`,
      ),
      moveRow: this.db.prepare('UPDATE rows SET batch_id = ? WHERE id = ?'),
    };
  }

  private statements(): ReturnType<PacingTransitions['prepare']> {
    this.prepared ??= this.prepare();
    return this.prepared;
  }

  /** Planned batches other than this one (waiting to be sent, or taken on and not begun yet), at most `limit`. */
  plannedBesides(batchId: number, limit: number): number[] {
    return this.statements().otherPlanned.all(batchId, limit) as number[];
  }

  /** The first planned batch after this one, if any (a cheap first look before `plannedBesides`). */
  plannedAfter(batchId: number): number | undefined {
    return (this.statements().plannedAbove.get(batchId) as number | undefined) ?? undefined;
  }

  /** Rows of the batch waiting to be sent. */
  queuedRows(batchId: number): number {
    return this.statements().queued.get(batchId) as number;
  }

  /** Moves the batch's last queued row into a planned batch of its own; returns that batch's id. */
  setAsideLastRow(batchId: number, now: string): number | undefined {
    const sql = this.statements();
    return this.db.transaction((): number | undefined => {
      const rowId = sql.lastQueued.get(batchId) as number | null;
      const batch = sql.batch.get(batchId) as { fileId: number; serviceId: string } | undefined;
      if (rowId === null || batch === undefined) return undefined;
      const aside = Number(sql.insertBatch.run(batch.fileId, batch.serviceId, now, now).lastInsertRowid);
      sql.moveRow.run(aside, rowId);
      return aside;
    })();
  }
}
