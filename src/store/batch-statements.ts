import { noteDateTimeSql } from '../timestamps.js';
import type { Db } from './db.js';

/**
 * The statements of submission's hot path (BatchTransitions), prepared once per store: a batch
 * is two transactions, thousands of times a file, and preparing them cost more than running them.
 */
export function prepareBatchStatements(db: Db) {
  return {
    nextPlanned: db.prepare(
      `SELECT id, file_id AS fileId, service_id AS serviceId, state, attempts, created_at AS createdAt FROM batches
        WHERE state = 'planned' AND id > ? ORDER BY id LIMIT 1`,
    ),
    rowsWaiting: db.prepare(`SELECT COUNT(*) FROM rows WHERE batch_id = ? AND state IN ('queued', 'unknown')`).pluck(),
    // Through batches_by_state: the planned batches are few next to all batches.
    plannedOfService: db.prepare(
      `SELECT b.id, b.file_id AS fileId, b.service_id AS serviceId, b.state, b.attempts, b.created_at AS createdAt,
              (SELECT COUNT(*) FROM rows AS r WHERE r.batch_id = b.id AND r.state IN ('queued', 'unknown')) AS waiting
         FROM batches AS b WHERE b.state = 'planned' AND b.service_id = ? AND b.id <> ? ORDER BY b.id LIMIT 50`,
    ),
    batchById: db.prepare(`SELECT id, file_id AS fileId, service_id AS serviceId, attempts FROM batches WHERE id = ?`),
    // A row whose earlier call went to another account is never sent through this one: if
    // that call ordered it, this account would not refuse the repeat.
    rowsToSend: db.prepare(
      `SELECT id, imei FROM rows WHERE batch_id = ? AND state IN ('queued', 'unknown')
          AND (state = 'queued' OR account_id IS NULL OR account_id = ?) ORDER BY id`,
    ),
    // Where the server may charge a repeat (SettleTransitions), only queued rows are ever sent.
    queuedToSend: db.prepare(`SELECT id, imei FROM rows WHERE batch_id = ? AND state = 'queued' ORDER BY id`),
    markQueuedSending: db.prepare(
      `UPDATE rows SET state = 'sending', account_id = ?, updated_at = ? WHERE batch_id = ? AND state = 'queued'`,
    ),
    queuedWaiting: db.prepare(`SELECT COUNT(*) FROM rows WHERE batch_id = ? AND state = 'queued'`).pluck(),
    // A failed call (BatchTransitions.recordCallFailure): refused for good; a row an earlier lost
    // call may have ordered, whose resubmission was refused; back to wait, or unknown again.
    failRefused: db.prepare(
      `UPDATE rows SET state = 'failed', last_error = ?, note = ?, next_attempt_at = NULL, updated_at = ?
        WHERE batch_id = ? AND state = 'sending' AND unknown_since IS NULL`,
    ),
    unknownRefused: db.prepare(
      `UPDATE rows SET state = 'unknown', last_error = ?, next_attempt_at = ?, updated_at = ?,
              note = 'sent at ' || ${noteDateTimeSql('unknown_since')} ||
                     ' in a call whose reply never arrived; resubmitting it was refused (' || ? ||
                     '); the scheduled retry asks again'
        WHERE batch_id = ? AND state = 'sending'`,
    ),
    backToWait: db.prepare(
      `UPDATE rows SET state = CASE WHEN unknown_since IS NULL THEN 'queued' ELSE 'unknown' END, last_error = ?, updated_at = ?
        WHERE batch_id = ? AND state = 'sending'`,
    ),
    refuseRow: db.prepare(
      `UPDATE rows SET state = 'failed', last_error = ?, note = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?`,
    ),
    // A call that stopped part way (ReplyOutcomes.applyUnsettled): one IMEI of the batch at a time.
    requeueImei: db.prepare(
      `UPDATE rows SET state = CASE WHEN unknown_since IS NULL THEN 'queued' ELSE 'unknown' END, last_error = ?, updated_at = ?
        WHERE batch_id = ? AND state = 'sending' AND imei = ?`,
    ),
    unknownImei: db.prepare(
      `UPDATE rows SET state = 'unknown', unknown_since = COALESCE(unknown_since, ?), id_floor = COALESCE(id_floor, ?),
              last_error = ?, updated_at = ?
        WHERE batch_id = ? AND state = 'sending' AND imei = ?`,
    ),
    settleBatch: db.prepare(`UPDATE batches SET state = 'settled', updated_at = ? WHERE id = ?`),
    markSending: db.prepare(
      `UPDATE rows SET state = 'sending', account_id = ?, updated_at = ?
        WHERE batch_id = ? AND state IN ('queued', 'unknown') AND (state = 'queued' OR account_id IS NULL OR account_id = ?)`,
    ),
    insertBatch: db.prepare(
      `INSERT INTO batches (file_id, service_id, state, created_at, updated_at) VALUES (?, ?, 'planned', ?, ?)`,
    ),
    moveRow: db.prepare('UPDATE rows SET batch_id = ? WHERE id = ?'),
    batchSending: db.prepare(`UPDATE batches SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`),
    countCall: db.prepare('UPDATE files SET api_calls = api_calls + 1 WHERE id = ?'),
    insertAttempt: db.prepare(
      'INSERT INTO attempts (batch_id, imei_count, started_at, account_id, floor_order_id) VALUES (?, ?, ?, ?, ?)',
    ),
    sendingRows: db.prepare(
      `SELECT id, imei, unknown_since AS unknownSince FROM rows WHERE batch_id = ? AND state = 'sending'`,
    ),
    markOrdered: db.prepare(
      `UPDATE rows SET state = 'ordered', order_id = ?, note = ?, last_error = NULL, next_attempt_at = NULL,
              recover_until = NULL, updated_at = ? WHERE id = ?`,
    ),
    // An id the account already holds inserts nothing; OrderPlacement then refuses to tie the
    // row to it unless it is this very order recorded again (see placeOrderRow).
    insertOrder: db.prepare(
      `INSERT INTO orders (account_id, order_id, imei, service_id, status, placed_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(account_id, order_id) DO NOTHING`,
    ),
    heldOrder: db.prepare('SELECT imei, service_id AS serviceId FROM orders WHERE account_id = ? AND order_id = ?'),
    markRecovering: db.prepare(
      `UPDATE rows SET state = 'recovering', note = ?, recover_until = ?, last_error = NULL, next_attempt_at = NULL,
              updated_at = ? WHERE id = ?`,
    ),
    settleRow: db.prepare(
      `UPDATE rows SET state = ?, note = ?, last_error = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ?`,
    ),
    batchState: db.prepare(`UPDATE batches SET state = ?, updated_at = ? WHERE id = ?`),
    markUnknown: db.prepare(
      `UPDATE rows SET state = 'unknown', unknown_since = COALESCE(unknown_since, ?), id_floor = COALESCE(id_floor, ?),
              last_error = ?, updated_at = ?
        WHERE batch_id = ? AND state = 'sending'`,
    ),
    unknownRowIds: db.prepare(`SELECT id FROM rows WHERE batch_id = ? AND state = 'unknown' ORDER BY id`).pluck(),
    finishAttempt: db.prepare('UPDATE attempts SET outcome = ?, error = ?, finished_at = ? WHERE id = ?'),
    touchFile: db.prepare('UPDATE files SET report_dirty = report_dirty + 1 WHERE id = ?'),
  };
}

export type BatchStatements = ReturnType<typeof prepareBatchStatements>;
