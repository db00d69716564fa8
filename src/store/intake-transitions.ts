import type { Statement } from 'better-sqlite3';
import type { AccountTransitions } from './account-transitions.js';
import type { Db } from './db.js';
import { markRepeats } from './mark-repeats.js';
import { ChunkPlanner, type WaitingRow } from './chunk-planner.js';
import { planBatches } from './plan-batches.js';

export interface NewFile {
  inboxPath: string;
  sha256: string;
  size: number;
  folderServiceId: string | null;
  now: string;
  /** An earlier file with the same bytes: every row is a repeat of it. */
  repeatOf?: number | undefined;
  /**
   * Dropped in `inbox/recheck/` to be ordered again on purpose: earlier orders of its IMEIs do
   * not make its rows duplicates (repeats within the file still do). Default false.
   */
  recheck?: boolean;
}

/** A row as intake decided it: either valid and queued, or invalid with the reason. */
export interface NewRow {
  line: number;
  rawImei: string;
  imei: string | null;
  serviceId: string;
  note: string;
  /** The row's cells of the input's other columns (`files.input_columns`); absent when all are empty. */
  inputCells?: string[];
}

export interface IntakeCounts {
  rows: number;
  /** Rows to send: valid and not repeats (some may already be sent when intake finishes). */
  queued: number;
  invalid: number;
  duplicates: number;
  /** Batches planned in all, while reading and at the end. */
  batches: number;
}

/** A file whose intake did not finish (a crash, a stop, an I/O error): where to pick it up. */
export interface UnfinishedRead {
  fileId: number;
  inboxPath: string;
  sha256: string;
  size: number;
  /** The line of the last row stored; 0 when none is. */
  lastLine: number;
  /** Whether any of its rows was sent: then its rows must never be dropped. */
  sent: boolean;
}

/**
 * Transitions of the intake step. A file is recorded as `reading`; its rows are appended in
 * chunks, each checked for repeats and cut into full batches in its own transaction, so the
 * first calls leave while the rest of the file is still being read; `finishIntake` plans the
 * last short batches and turns the file into `submitting`. A read that stops half-way is
 * picked up after its last stored line (`unfinishedRead`), or dropped when nothing was sent.
 */
export class IntakeTransitions {
  private readonly planner: ChunkPlanner;
  /** Prepared on first use: it runs for every row of every file. */
  private insertRow: Statement | undefined;
  private selectRepeatOf: Statement | undefined;

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountTransitions,
  ) {
    this.planner = new ChunkPlanner(db);
  }

  /** A file taken now belongs to the current provider account: its repeats are judged there. */
  createFile(file: NewFile): number {
    const result = this.db
      .prepare(
        `INSERT INTO files (inbox_path, sha256, size, folder_service_id, state, created_at, started_at, repeat_of, account_id,
                            recheck)
         VALUES (?, ?, ?, ?, 'reading', ?, ?, ?, ?, ?)`,
      )
      .run(
        file.inboxPath,
        file.sha256,
        file.size,
        file.folderServiceId,
        file.now,
        file.now,
        file.repeatOf ?? null,
        this.accounts.currentId,
        file.recheck === true ? 1 : 0,
      );
    return Number(result.lastInsertRowid);
  }

  /** The input's other columns, by name (`NewRow.inputCells` line up with them); none: NULL. */
  setInputColumns(fileId: number, names: readonly string[]): void {
    this.db
      .prepare('UPDATE files SET input_columns = ? WHERE id = ?')
      .run(names.length === 0 ? null : JSON.stringify(names), fileId);
  }

  /**
   * An earlier file (read to its end) with the same bytes, taken with the current provider
   * account, if any: the same file ordered on the simulator is not a repeat for a real account.
   */
  findEarlierFileWithHash(sha256: string, exceptFileId = 0): number | undefined {
    return this.db
      .prepare(
        `SELECT id FROM files WHERE sha256 = ? AND id <> ? AND state <> 'reading' AND error IS NULL AND account_id = ?
          ORDER BY id LIMIT 1`,
      )
      .pluck()
      .get(sha256, exceptFileId, this.accounts.currentId) as number | undefined;
  }

  /**
   * Appends one chunk of rows in one transaction: stored, checked for repeats, and, with
   * `batchSize`, cut into full batches that can be sent at once. Returns the batches planned.
   */
  appendRows(fileId: number, rows: readonly NewRow[], now: string, batchSize?: number): number {
    if (rows.length === 0) return 0;
    this.insertRow ??= this.db.prepare(
      `INSERT INTO rows (file_id, line, raw_imei, imei, service_id, state, note, updated_at, input_cells)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insert = this.insertRow;
    return this.db.transaction((): number => {
      let firstId = 0;
      const queued: WaitingRow[] = [];
      for (const row of rows) {
        const state = row.imei ? 'queued' : 'invalid';
        const cells = row.inputCells === undefined ? null : JSON.stringify(row.inputCells);
        const id = Number(insert.run(fileId, row.line, row.rawImei, row.imei, row.serviceId, state, row.note, now, cells).lastInsertRowid);
        if (firstId === 0) firstId = id;
        if (row.imei) queued.push({ id, serviceId: row.serviceId });
      }
      const { repeatOf, recheck } = this.repeatRules(fileId);
      const repeats = markRepeats(this.db, fileId, firstId, repeatOf, this.accounts.currentId, now, { recheck });
      if (batchSize === undefined) return 0;
      // The chunk's rows still queued, known here: reading them back cost as much as storing them.
      const fresh = repeats === 'all' ? [] : queued.filter((row) => !repeats.has(row.id));
      return this.planner.planChunk(fileId, firstId, fresh, batchSize, now);
    })();
  }

  /** `reading -> submitting` with an error: the whole file was refused and only gets reported. */
  rejectFile(fileId: number, error: string, now: string): void {
    this.planner.forget(fileId);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM batches WHERE file_id = ?').run(fileId);
      this.db.prepare('DELETE FROM rows WHERE file_id = ?').run(fileId);
      this.db
        .prepare(`UPDATE files SET state = 'submitting', error = ?, rows_total = 0, finished_at = ? WHERE id = ?`)
        .run(error, now, fileId);
    })();
  }

  /**
   * `reading -> submitting`: the rows still unplanned are cut into batches (short ones too) and
   * the file is counted. `error` records why the file was not read to its end (its rows before
   * that point are kept: some may already be ordered). One transaction.
   */
  finishIntake(fileId: number, batchSize: number, now: string, error?: string): IntakeCounts {
    return this.db.transaction(() => {
      if (!this.planner.planRest(fileId, now)) planBatches(this.db, fileId, batchSize, now);
      const counts = this.db
        .prepare(
          `SELECT COUNT(*) AS rows,
                  COALESCE(SUM(state NOT IN ('invalid', 'duplicate')), 0) AS queued,
                  COALESCE(SUM(state = 'invalid'), 0) AS invalid,
                  COALESCE(SUM(state = 'duplicate'), 0) AS duplicates,
                  (SELECT COUNT(*) FROM batches WHERE file_id = ?) AS batches
             FROM rows WHERE file_id = ?`,
        )
        .get(fileId, fileId) as IntakeCounts;
      this.db
        .prepare(`UPDATE files SET state = 'submitting', rows_total = ?, error = ? WHERE id = ?`)
        .run(counts.rows, error ?? null, fileId);
      return counts;
    })();
  }

  /** The unfinished read of this inbox path, if a stop or an error left one. */
  unfinishedRead(inboxPath: string): UnfinishedRead | undefined {
    const id = this.db
      .prepare(`SELECT id FROM files WHERE inbox_path = ? AND state = 'reading' ORDER BY id DESC LIMIT 1`)
      .pluck()
      .get(inboxPath) as number | undefined;
    return id === undefined ? undefined : this.describeRead(id);
  }

  /** Every read a stop or a crash left unfinished. */
  unfinishedReads(): UnfinishedRead[] {
    const ids = this.db.prepare(`SELECT id FROM files WHERE state = 'reading' ORDER BY id`).pluck().all() as number[];
    return ids.map((id) => this.describeRead(id));
  }

  /** Forgets a read that did not finish and sent nothing: the file is read again from the start. */
  discardRead(fileId: number): void {
    this.planner.forget(fileId);
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM rows WHERE file_id = ?`).run(fileId);
      this.db.prepare(`DELETE FROM batches WHERE file_id = ?`).run(fileId);
      this.db.prepare(`DELETE FROM files WHERE id = ? AND state = 'reading'`).run(fileId);
    })();
  }

  private describeRead(fileId: number): UnfinishedRead {
    const read = this.db
      .prepare(
        `SELECT f.id AS fileId, f.inbox_path AS inboxPath, f.sha256, f.size,
                COALESCE((SELECT MAX(line) FROM rows WHERE file_id = f.id), 0) AS lastLine,
                EXISTS (SELECT 1 FROM batches WHERE file_id = f.id AND attempts > 0) AS sent
           FROM files AS f WHERE f.id = ?`,
      )
      .get(fileId) as Omit<UnfinishedRead, 'sent'> & { sent: number };
    return { ...read, sent: read.sent === 1 };
  }

  private repeatRules(fileId: number): { repeatOf: number | null; recheck: boolean } {
    // Asked for every chunk: prepared once.
    this.selectRepeatOf ??= this.db.prepare('SELECT repeat_of AS repeatOf, recheck FROM files WHERE id = ?');
    const file = this.selectRepeatOf.get(fileId) as { repeatOf: number | null; recheck: number } | undefined;
    return { repeatOf: file?.repeatOf ?? null, recheck: file?.recheck === 1 };
  }
}
