import type { Db } from './db.js';

/**
 * Cuts full batches while a file is being read, chunk by chunk. The rows of each service not
 * yet in a batch (fewer than `batchSize`) are kept here in memory, so a chunk costs only its own
 * rows: walking the store for them made a lone row of another service near the top of a big
 * file cost every later chunk a walk over the whole file. What is left at the end of the file
 * is planned by `planBatches`, from the store. Runs inside the caller's transaction. A row the
 * retry job put in a batch meanwhile (a failed batch of a file still being read) keeps it.
 */
export class ChunkPlanner {
  /** Per file, per service: ids of the rows waiting for a batch, oldest first. */
  private readonly waiting = new Map<number, Map<string, number[]>>();

  /** Prepared on first use: they run for every chunk. */
  private prepared: ReturnType<ChunkPlanner['prepareStatements']> | undefined;

  constructor(private readonly db: Db) {}

  private statements(): ReturnType<ChunkPlanner['prepareStatements']> {
    this.prepared ??= this.prepareStatements();
    return this.prepared;
  }

  private prepareStatements() {
    return {
      insertBatch: this.db.prepare(
        `INSERT INTO batches (file_id, service_id, state, created_at, updated_at) VALUES (?, ?, 'planned', ?, ?)`,
      ),
      assign: this.db.prepare(
        `UPDATE rows SET batch_id = ? WHERE id IN (SELECT value FROM json_each(?)) AND state = 'queued' AND batch_id IS NULL`,
      ),
    };
  }

  /**
   * Plans the full batches that `fresh` completes: the chunk's rows (stored from `fromId` on)
   * still queued after the repeat checks, in id order. Returns the batches planned.
   */
  planChunk(fileId: number, fromId: number, fresh: readonly WaitingRow[], batchSize: number, now: string): number {
    const waiting = this.waitingOf(fileId, fromId);
    addWaiting(waiting, fresh);
    let batches = 0;
    for (const [serviceId, ids] of waiting) {
      while (ids.length >= batchSize) {
        this.createBatch(fileId, serviceId, ids.splice(0, batchSize), now);
        batches += 1;
      }
    }
    return batches;
  }

  /**
   * The file was read to its end: its waiting rows become short batches, one per service.
   * False when this planner does not know the file (a restart): `planBatches` does it then.
   */
  planRest(fileId: number, now: string): boolean {
    const waiting = this.waiting.get(fileId);
    if (!waiting) return false;
    for (const [serviceId, ids] of [...waiting].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (ids.length > 0) this.createBatch(fileId, serviceId, ids, now);
    }
    this.waiting.delete(fileId);
    return true;
  }

  private createBatch(fileId: number, serviceId: string, ids: readonly number[], now: string): void {
    const { insertBatch, assign } = this.statements();
    const batchId = Number(insertBatch.run(fileId, serviceId, now, now).lastInsertRowid);
    assign.run(batchId, JSON.stringify(ids));
  }

  /** The file's read ended (or was dropped): its waiting rows are the store's business now. */
  forget(fileId: number): void {
    this.waiting.delete(fileId);
  }

  /**
   * The waiting rows of a file; after a restart, read once from the store (every row before
   * `beforeId` that is queued and in no batch: fewer than `batchSize` per service).
   */
  private waitingOf(fileId: number, beforeId: number): Map<string, number[]> {
    let waiting = this.waiting.get(fileId);
    if (waiting) return waiting;
    waiting = new Map();
    const earlier = this.db
      .prepare(
        `SELECT id, service_id AS serviceId FROM rows
          WHERE file_id = ? AND state = 'queued' AND batch_id IS NULL AND id < ? ORDER BY id`,
      )
      .all(fileId, beforeId) as WaitingRow[];
    addWaiting(waiting, earlier);
    this.waiting.set(fileId, waiting);
    return waiting;
  }
}

/** A row waiting for a batch. */
export interface WaitingRow {
  id: number;
  serviceId: string;
}

function addWaiting(waiting: Map<string, number[]>, rows: readonly WaitingRow[]): void {
  for (const row of rows) {
    const ids = waiting.get(row.serviceId);
    if (ids) ids.push(row.id);
    else waiting.set(row.serviceId, [row.id]);
  }
}
