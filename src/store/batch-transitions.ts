import type { FailureClass } from '../errors.js';
import { noteDateTime, noteDateTimeSql } from '../timestamps.js';
import type { PlaceOrderResult } from '../provider/types.js';
import type { Db } from './db.js';
import type { BatchRecord } from './types.js';

/** What `beginAttempt` committed: the call may now leave the process. */
export interface AttemptTicket {
  attemptId: number;
  batchId: number;
  fileId: number;
  serviceId: string;
  imeis: string[];
  startedAt: string;
  /** 1 for the batch's first call. */
  number: number;
}

export interface ReplyCounts {
  ordered: number;
  duplicates: number;
  unconfirmed: number;
  rejected: number;
  /** Sent but in none of the reply's lists: outcome unknown, resubmitted. */
  unaccounted: number;
}

export interface CallFailure {
  failureClass: FailureClass;
  message: string;
  /** Bad credentials: the rows wait, untouched, until the configuration changes. */
  haltsSubmission: boolean;
}

/** The row note of an order whose call never answered but which the provider holds. */
export function unconfirmedNote(unknownSince: string): string {
  return (
    `sent at ${noteDateTime(unknownSince)} in a call whose reply never arrived; the provider refused ` +
    'the resubmission as a repeat, so it holds an order for this IMEI, but its order id is unknown: ' +
    "find it in the provider's order history before ordering again"
  );
}

/**
 * Transitions of submission. Rows of a batch go `queued|unknown -> sending` in the same
 * transaction that records the attempt, before the call; the reply or failure then moves each
 * row on. `unknown_since` outlives the `sending` state, so a resubmission that the provider
 * refuses as a repeat is known to be our own earlier order (`unconfirmed`), not a duplicate.
 */
export class BatchTransitions {
  private prepared: ReturnType<BatchTransitions['prepareStatements']> | undefined;

  constructor(private readonly db: Db) {}

  /** Statements of the hot path, prepared once: a batch is two transactions, thousands of times a file. */
  private statements(): ReturnType<BatchTransitions['prepareStatements']> {
    this.prepared ??= this.prepareStatements();
    return this.prepared;
  }

  private prepareStatements() {
    const db = this.db;
    return {
      nextPlanned: db.prepare(
        `SELECT id, file_id AS fileId, service_id AS serviceId, state, attempts FROM batches
          WHERE state = 'planned' AND id > ? ORDER BY id LIMIT 1`,
      ),
      batchById: db.prepare(`SELECT id, file_id AS fileId, service_id AS serviceId, attempts FROM batches WHERE id = ?`),
      rowsToSend: db.prepare(`SELECT imei FROM rows WHERE batch_id = ? AND state IN ('queued', 'unknown') ORDER BY id`).pluck(),
      settleBatch: db.prepare(`UPDATE batches SET state = 'settled', updated_at = ? WHERE id = ?`),
      markSending: db.prepare(
        `UPDATE rows SET state = 'sending', updated_at = ? WHERE batch_id = ? AND state IN ('queued', 'unknown')`,
      ),
      batchSending: db.prepare(`UPDATE batches SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`),
      countCall: db.prepare('UPDATE files SET api_calls = api_calls + 1 WHERE id = ?'),
      insertAttempt: db.prepare('INSERT INTO attempts (batch_id, imei_count, started_at) VALUES (?, ?, ?)'),
      sendingRows: db.prepare(
        `SELECT id, imei, unknown_since AS unknownSince FROM rows WHERE batch_id = ? AND state = 'sending'`,
      ),
      markOrdered: db.prepare(
        `UPDATE rows SET state = 'ordered', order_id = ?, note = '', last_error = NULL, next_attempt_at = NULL,
                updated_at = ? WHERE id = ?`,
      ),
      insertOrder: db.prepare(
        `INSERT INTO orders (order_id, imei, service_id, status, placed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(order_id) DO NOTHING`,
      ),
      settleRow: db.prepare(
        `UPDATE rows SET state = ?, note = ?, last_error = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ?`,
      ),
      batchState: db.prepare(`UPDATE batches SET state = ?, updated_at = ? WHERE id = ?`),
      markUnknown: db.prepare(
        `UPDATE rows SET state = 'unknown', unknown_since = COALESCE(unknown_since, ?), last_error = ?, updated_at = ?
          WHERE batch_id = ? AND state = 'sending'`,
      ),
      finishAttempt: db.prepare('UPDATE attempts SET outcome = ?, error = ?, finished_at = ? WHERE id = ?'),
      touchFile: db.prepare('UPDATE files SET report_dirty = report_dirty + 1 WHERE id = ?'),
    };
  }

  /** The oldest planned batch after `afterId`. */
  nextPlanned(afterId: number): BatchRecord | undefined {
    return this.statements().nextPlanned.get(afterId) as BatchRecord | undefined;
  }

  /**
   * Several `beginAttempt`s in one transaction (group commit): each is still recorded whole or
   * not at all, and every one is on disk before any of their calls leaves.
   */
  beginAttempts(batchIds: readonly number[], now: string): (AttemptTicket | undefined)[] {
    return this.db.transaction(() => batchIds.map((batchId) => this.beginAttempt(batchId, now)))();
  }

  /** `queued|unknown -> sending`, the attempt recorded; undefined when nothing is left to send. */
  beginAttempt(batchId: number, now: string): AttemptTicket | undefined {
    const sql = this.statements();
    return this.db.transaction((): AttemptTicket | undefined => {
      const batch = sql.batchById.get(batchId) as { id: number; fileId: number; serviceId: string; attempts: number } | undefined;
      if (!batch) return undefined;
      const imeis = sql.rowsToSend.all(batchId) as string[];
      if (imeis.length === 0) {
        sql.settleBatch.run(now, batchId);
        return undefined;
      }
      sql.markSending.run(now, batchId);
      sql.batchSending.run(now, batchId);
      sql.countCall.run(batch.fileId);
      const attemptId = Number(sql.insertAttempt.run(batchId, imeis.length, now).lastInsertRowid);
      return {
        attemptId,
        batchId,
        fileId: batch.fileId,
        serviceId: batch.serviceId,
        imeis,
        startedAt: now,
        number: batch.attempts + 1,
      };
    })();
  }

  /** Several replies in one transaction (group commit); each is still recorded whole or not at all. */
  recordReplies(replies: readonly { ticket: AttemptTicket; result: PlaceOrderResult }[], now: string): ReplyCounts[] {
    return this.db.transaction(() => replies.map((reply) => this.recordReply(reply.ticket, reply.result, now)))();
  }

  /** A reply arrived: each row sent moves to its outcome; rows the reply left out become unknown. */
  recordReply(ticket: AttemptTicket, result: PlaceOrderResult, now: string): ReplyCounts {
    const sql = this.statements();
    return this.db.transaction((): ReplyCounts => {
      const counts: ReplyCounts = { ordered: 0, duplicates: 0, unconfirmed: 0, rejected: 0, unaccounted: 0 };
      // One read of the batch's rows, then updates by primary key: no index lookup per IMEI.
      const sending = new Map<string, { id: number; unknownSince: string | null }>();
      for (const row of sql.sendingRows.all(ticket.batchId) as { id: number; imei: string; unknownSince: string | null }[]) {
        sending.set(row.imei, row);
      }
      const take = (imei: string): { id: number; unknownSince: string | null } | undefined => {
        const row = sending.get(imei);
        sending.delete(imei);
        return row;
      };
      for (const placed of result.placed) {
        const row = take(placed.imei);
        if (!row) continue;
        sql.markOrdered.run(placed.orderId, now, row.id);
        sql.insertOrder.run(placed.orderId, placed.imei, ticket.serviceId, placed.status, now);
        counts.ordered += 1;
      }
      for (const imei of result.duplicates) {
        const row = take(imei);
        if (!row) continue;
        if (row.unknownSince) {
          sql.settleRow.run('unconfirmed', unconfirmedNote(row.unknownSince), now, row.id);
          counts.unconfirmed += 1;
        } else {
          const note = `the provider already holds an order for this IMEI on service ${ticket.serviceId} (refused as a repeat, not charged)`;
          sql.settleRow.run('duplicate', note, now, row.id);
          counts.duplicates += 1;
        }
      }
      for (const imei of result.rejected) {
        const row = take(imei);
        if (!row) continue;
        sql.settleRow.run('invalid', 'the provider refused this IMEI as malformed (not ordered, not charged)', now, row.id);
        counts.rejected += 1;
      }
      counts.unaccounted = this.markSendingUnknown(ticket, 'the reply did not mention this IMEI', now);
      this.finishAttempt(ticket, 'replied', null, now);
      sql.batchState.run(counts.unaccounted > 0 ? 'planned' : 'settled', now, ticket.batchId);
      this.touchFile(ticket.fileId);
      return counts;
    })();
  }

  /** The call failed: rows go back to wait, become unknown, or fail, by the failure's class. */
  recordCallFailure(ticket: AttemptTicket, failure: CallFailure, now: string): void {
    this.db.transaction(() => {
      if (failure.failureClass === 'unknown') {
        this.markSendingUnknown(ticket, failure.message, now);
      } else if (failure.failureClass === 'permanent' && !failure.haltsSubmission) {
        // Refused for good (an unknown service...): retrying on a timer cannot help, so no next attempt.
        this.db
          .prepare(
            `UPDATE rows SET state = 'failed', last_error = ?, note = ?, next_attempt_at = NULL, updated_at = ?
              WHERE batch_id = ? AND state = 'sending' AND unknown_since IS NULL`,
          )
          .run(failure.message, `the provider refused the order: ${failure.message}`, now, ticket.batchId);
        // A row an earlier lost call may have ordered is never dropped: the retry job asks again.
        this.db
          .prepare(
            `UPDATE rows SET state = 'unknown', last_error = ?, next_attempt_at = ?, updated_at = ?,
                    note = 'sent at ' || ${noteDateTimeSql('unknown_since')} ||
                           ' in a call whose reply never arrived; resubmitting it was refused (' || ? ||
                           '); the scheduled retry asks again'
              WHERE batch_id = ? AND state = 'sending'`,
          )
          .run(failure.message, now, now, failure.message, ticket.batchId);
      } else {
        this.db
          .prepare(
            `UPDATE rows SET state = CASE WHEN unknown_since IS NULL THEN 'queued' ELSE 'unknown' END,
                    last_error = ?, updated_at = ?
              WHERE batch_id = ? AND state = 'sending'`,
          )
          .run(failure.message, now, ticket.batchId);
      }
      const settled = failure.failureClass === 'permanent' && !failure.haltsSubmission;
      this.finishAttempt(ticket, failure.failureClass, failure.message, now);
      this.db
        .prepare(`UPDATE batches SET state = ?, updated_at = ? WHERE id = ?`)
        .run(settled ? 'settled' : 'planned', now, ticket.batchId);
      this.touchFile(ticket.fileId);
    })();
  }

  /**
   * Tries exhausted: `queued -> failed` with the last error; unknown rows stay unknown (they may
   * have been ordered, so they are never reported Failed). Both wait for the retry job.
   */
  settleBatch(batchId: number, lastError: string, nextAttemptAt: string, now: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE rows SET state = 'failed', last_error = ?, next_attempt_at = ?, updated_at = ?,
                  note = 'not ordered: ' || ? || '; the scheduled retry will try again'
            WHERE batch_id = ? AND state = 'queued'`,
        )
        .run(lastError, nextAttemptAt, now, lastError, batchId);
      this.db
        .prepare(
          `UPDATE rows SET next_attempt_at = ?, updated_at = ?,
                  note = 'sent at ' || ${noteDateTimeSql('unknown_since')} ||
                         ' in a call whose reply never arrived (' || COALESCE(last_error, 'no reply') ||
                         '); it will be resubmitted to confirm, and the provider refuses repeats, so it cannot be charged twice'
            WHERE batch_id = ? AND state = 'unknown'`,
        )
        .run(nextAttemptAt, now, batchId);
      const file = this.db.prepare(`UPDATE batches SET state = 'settled', updated_at = ? WHERE id = ? RETURNING file_id`)
        .pluck()
        .get(now, batchId) as number | undefined;
      if (file !== undefined) this.touchFile(file);
    })();
  }

  /**
   * After a crash: calls that were in flight have no known outcome. Their rows become `unknown`
   * (dated by the attempt) and their batches are planned again, to be resubmitted.
   */
  recoverInterrupted(now: string): { attempts: number; rows: number } {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(
          `UPDATE rows SET state = 'unknown', updated_at = ?, last_error = 'the daemon stopped while this call was in flight',
                  unknown_since = COALESCE(unknown_since,
                    (SELECT started_at FROM attempts WHERE attempts.batch_id = rows.batch_id AND outcome IS NULL
                      ORDER BY id DESC LIMIT 1), ?)
            WHERE state = 'sending'`,
        )
        .run(now, now).changes;
      const attempts = this.db
        .prepare(`UPDATE attempts SET outcome = 'interrupted', finished_at = ? WHERE outcome IS NULL`)
        .run(now).changes;
      this.db.prepare(`UPDATE batches SET state = 'planned', updated_at = ? WHERE state = 'sending'`).run(now);
      return { attempts, rows };
    })();
  }

  private markSendingUnknown(ticket: AttemptTicket, reason: string, now: string): number {
    return this.statements().markUnknown.run(ticket.startedAt, reason, now, ticket.batchId).changes;
  }

  private finishAttempt(ticket: AttemptTicket, outcome: string, error: string | null, now: string): void {
    this.statements().finishAttempt.run(outcome, error, now, ticket.attemptId);
  }

  /** A row of this file changed: its report, if written, is stale. */
  private touchFile(fileId: number): void {
    this.statements().touchFile.run(fileId);
  }
}
