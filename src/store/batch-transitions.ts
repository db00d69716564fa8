import type { FailureClass } from '../errors.js';
import { noteDateTimeSql } from '../timestamps.js';
import type { PartialPlacement, PlacedOrder, PlaceOrderResult } from '../provider/types.js';
import type { AccountTransitions } from './account-transitions.js';
import { prepareBatchStatements, type BatchStatements } from './batch-statements.js';
import type { Db } from './db.js';
import { OrderPlacement } from './order-placement.js';
import { ReplyOutcomes } from './reply-outcomes.js';
import { SettleTransitions } from './settle-transitions.js';
import type { BatchingMode, BatchRecord } from './types.js';

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
  /** The highest order id the account had given us when the call began: its orders lie above. */
  floorOrderId: number;
  /** IMEIs in the call, when it carried other batches' too (a call filled across files). */
  callSize?: number;
}

export interface ReplyCounts {
  ordered: number;
  duplicates: number;
  /** Resubmissions refused as repeats: the lost call ordered them; their order ids are searched. */
  recovering: number;
  rejected: number;
  /** Refused for good with the provider's own text (DHRU): Failed, not retried on a timer. */
  refused: number;
  /** Sent but in none of the reply's lists: outcome unknown, resubmitted. */
  unaccounted: number;
  /**
   * Sent but in none of the reply's lists, on a server that may charge a repeat: never resent,
   * but settled from the order ids (SettleTransitions).
   */
  settling: number;
  /**
   * A reply that accounted for only some of several IMEIs: the rest were moved into batches of
   * one IMEI each, whose replies are exact (an order id, or a refusal as a repeat).
   */
  splitIntoSingles: boolean;
  /** This reply taught us that the server orders one IMEI per call for the service. */
  learntOneImeiPerCall: boolean;
}

export interface CallFailure {
  failureClass: FailureClass;
  message: string;
  /** Bad credentials: the rows wait, untouched, until the configuration changes. */
  haltsSubmission: boolean;
  /** Orders a cut-off reply did carry whole: those rows are ordered, the rest stay unknown. */
  salvaged?: readonly PlacedOrder[];
  /**
   * A call that stopped part way: what is known of each IMEI (ProviderErrorDetails.partial).
   * Its settled part is recorded as a reply; the IMEIs it lists override the failure's class.
   */
  partial?: PartialPlacement;
}

/** What recording a failed call left. */
export interface CallFailureOutcome {
  /** Rows that became unknown and are settled from the order ids (never resent). */
  settling: number;
  /** Rows of the batch still to send: none means another try of it would send nothing. */
  rowsLeft: number;
}

/**
 * Transitions of submission. Rows of a batch go `queued|unknown -> sending` in the same
 * transaction that records the attempt, before the call; the reply or failure then moves each
 * row on. `unknown_since` outlives the `sending` state, so a resubmission that the provider
 * refuses as a repeat is known to be our own earlier order (`unconfirmed`), not a duplicate.
 */
export class BatchTransitions {
  private prepared: BatchStatements | undefined;
  /** `submission.batching`: whether a server's one-IMEI-per-call answers are learnt, or forced. */
  batching: BatchingMode = 'auto';

  /**
   * Services an order of one IMEI cannot be placed for (the catalogue says so, with the reason):
   * their rows are Failed before any call. Set whenever the catalogue is read.
   */
  notOrderable: ReadonlyMap<string, string> = new Map();

  private readonly placement: OrderPlacement;
  private readonly outcomes: ReplyOutcomes;

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountTransitions,
    /** Whether unknown rows are resent, or settled from the order ids (servers that may charge a repeat). */
    private readonly settling: SettleTransitions = new SettleTransitions(db, accounts),
  ) {
    this.placement = new OrderPlacement(db, () => this.statements(), accounts);
    this.outcomes = new ReplyOutcomes(() => this.statements(), this.placement, accounts, settling);
  }

  /** Statements of the hot path, prepared once: a batch is two transactions, thousands of times a file. */
  private statements(): BatchStatements {
    this.prepared ??= prepareBatchStatements(this.db);
    return this.prepared;
  }

  /** The oldest planned batch after `afterId`. */
  nextPlanned(afterId: number): BatchRecord | undefined {
    return this.statements().nextPlanned.get(afterId) as BatchRecord | undefined;
  }

  /** Rows of a batch still to be sent (queued, or unknown and resubmitted). */
  rowsWaiting(batchId: number): number {
    return this.statements().rowsWaiting.get(batchId) as number;
  }

  /** Planned batches of a service other than `exceptId`, oldest first, with their rows to send (at most 50). */
  plannedOfService(serviceId: string, exceptId: number): (BatchRecord & { waiting: number })[] {
    return this.statements().plannedOfService.all(serviceId, exceptId) as (BatchRecord & { waiting: number })[];
  }

  /** IMEIs a call may carry for a service: 1 where the server orders one at a time; else undefined. */
  imeisPerCallFor(serviceId: string): number | undefined {
    return this.imeisPerCall(serviceId);
  }

  /**
   * Several `beginAttempt`s in one transaction (group commit): each is still recorded whole or
   * not at all, and every one is on disk before any of their calls leaves.
   */
  beginAttempts(batchIds: readonly number[], now: string): (AttemptTicket | undefined)[] {
    return this.db.transaction(() => batchIds.map((batchId) => this.beginAttempt(batchId, now)))();
  }

  /**
   * `queued|unknown -> sending`, the attempt recorded with the account's highest known order id
   * (the floor of its orders, should its reply be lost); undefined when nothing is left to send.
   * For a service the server orders one IMEI at a time, all rows but the first move to batches
   * of their own first, so that every concurrency slot carries one.
   */
  beginAttempt(batchId: number, now: string): AttemptTicket | undefined {
    const sql = this.statements();
    return this.db.transaction((): AttemptTicket | undefined => {
      const batch = sql.batchById.get(batchId) as { id: number; fileId: number; serviceId: string; attempts: number } | undefined;
      if (!batch) return undefined;
      const accountId = this.accounts.currentId;
      const refusal = this.notOrderable.get(batch.serviceId);
      if (refusal !== undefined) {
        this.refuseService(batchId, batch.fileId, refusal, now);
        return undefined;
      }
      // Where the server may charge a repeat, an unknown row is never sent again (SettleTransitions).
      const resend = this.settling.resendsUnknown;
      let rows = (resend ? sql.rowsToSend.all(batchId, accountId) : sql.queuedToSend.all(batchId)) as { id: number; imei: string }[];
      if (rows.length === 0) {
        sql.settleBatch.run(now, batchId);
        return undefined;
      }
      if (rows.length > 1 && this.imeisPerCall(batch.serviceId) === 1) {
        this.placement.moveToSingleBatches(batch, rows.slice(1).map((row) => row.id), now);
        rows = rows.slice(0, 1);
      }
      const imeis = rows.map((row) => row.imei);
      if (resend) sql.markSending.run(accountId, now, batchId, accountId);
      else sql.markQueuedSending.run(accountId, now, batchId);
      sql.batchSending.run(now, batchId);
      sql.countCall.run(batch.fileId);
      const floorOrderId = this.accounts.highestOrderId();
      const attemptId = Number(sql.insertAttempt.run(batchId, imeis.length, now, accountId, floorOrderId).lastInsertRowid);
      return {
        attemptId,
        batchId,
        fileId: batch.fileId,
        serviceId: batch.serviceId,
        imeis,
        startedAt: now,
        number: batch.attempts + 1,
        floorOrderId,
      };
    })();
  }

  /** IMEIs a call may carry for a service: 1 where the server orders one at a time; else undefined. */
  private imeisPerCall(serviceId: string): number | undefined {
    if (this.batching === 'single') return 1;
    if (this.batching === 'batch') return undefined;
    return this.accounts.imeisPerCall(serviceId);
  }

  /** Several replies in one transaction (group commit); each is still recorded whole or not at all. */
  recordReplies(replies: readonly { ticket: AttemptTicket; result: PlaceOrderResult }[], now: string): ReplyCounts[] {
    return this.db.transaction(() => replies.map((reply) => this.recordReply(reply.ticket, reply.result, now)))();
  }

  /**
   * A reply arrived: each row sent moves to its outcome. Rows the reply left out become unknown;
   * when several IMEIs were sent, they move to one-IMEI batches (a well-formed reply that names
   * only some of a list is evidence that the server does not batch, and a one-IMEI call's answer
   * is exact), and in `auto` mode the service is remembered as one IMEI per call.
   */
  recordReply(ticket: AttemptTicket, result: PlaceOrderResult, now: string): ReplyCounts {
    const sql = this.statements();
    return this.db.transaction((): ReplyCounts => {
      const counts: ReplyCounts = {
        ...this.outcomes.apply(ticket, result, now),
        unaccounted: 0,
        settling: 0,
        splitIntoSingles: false,
        learntOneImeiPerCall: false,
      };
      const unaccounted = this.markSendingUnknown(ticket, 'the reply did not mention this IMEI', now);
      this.finishAttempt(ticket, 'replied', null, now);
      const sent = ticket.callSize ?? ticket.imeis.length;
      if (!this.settling.resendsUnknown) {
        // A server that may charge a repeat: the rows are settled from the order ids, never resent,
        // and a reply keyed by reference that misses one says nothing about lists.
        counts.settling = this.settling.markSettling(ticket.batchId, 'now', now);
      } else if (unaccounted > 0 && sent > 1) {
        counts.unaccounted = unaccounted;
        const batch = { fileId: ticket.fileId, serviceId: ticket.serviceId };
        this.placement.moveToSingleBatches(batch, sql.unknownRowIds.all(ticket.batchId) as number[], now);
        counts.splitIntoSingles = true;
        const reason = `a call with ${sent} IMEIs left ${unaccounted} of them unanswered`;
        counts.learntOneImeiPerCall = this.batching === 'auto' && this.accounts.rememberOneImeiPerCall(ticket.serviceId, reason, now);
      } else {
        counts.unaccounted = unaccounted;
      }
      sql.batchState.run(counts.unaccounted > 0 && !counts.splitIntoSingles ? 'planned' : 'settled', now, ticket.batchId);
      this.touchFile(ticket.fileId);
      return counts;
    })();
  }

  /**
   * The call failed: rows go back to wait, become unknown, or fail, by the failure's class. What
   * a call that stopped part way did settle is recorded first, as a reply would be.
   */
  recordCallFailure(ticket: AttemptTicket, failure: CallFailure, now: string): CallFailureOutcome {
    return this.db.transaction((): CallFailureOutcome => {
      if (failure.partial) {
        this.outcomes.apply(ticket, failure.partial.settled, now);
        this.outcomes.applyUnsettled(ticket, failure.partial, failure.message, now);
      } else {
        this.placement.recordSalvage(ticket, failure.salvaged ?? [], now);
        this.settling.noteCeiling(ticket.startedAt, (failure.salvaged ?? []).map((placed) => placed.orderId));
      }
      if (failure.failureClass === 'unknown') {
        this.markSendingUnknown(ticket, failure.message, now);
      } else if (failure.failureClass === 'permanent' && !failure.haltsSubmission) {
        // Refused for good (an unknown service...): retrying on a timer cannot help, so no next attempt.
        const sql = this.statements();
        sql.failRefused.run(failure.message, `the provider refused the order: ${failure.message}`, now, ticket.batchId);
        // A row an earlier lost call may have ordered is never dropped: the retry job asks again.
        sql.unknownRefused.run(failure.message, now, now, failure.message, ticket.batchId);
      } else {
        this.statements().backToWait.run(failure.message, now, ticket.batchId);
      }
      const settling = this.settling.markSettling(ticket.batchId, 'after-margin', now);
      const settled = failure.failureClass === 'permanent' && !failure.haltsSubmission;
      this.finishAttempt(ticket, failure.failureClass, failure.message, now);
      const rowsLeft = this.rowsToSendCount(ticket.batchId);
      this.db
        .prepare(`UPDATE batches SET state = ?, updated_at = ? WHERE id = ?`)
        .run(settled || rowsLeft === 0 ? 'settled' : 'planned', now, ticket.batchId);
      this.touchFile(ticket.fileId);
      return { settling, rowsLeft: settled ? 0 : rowsLeft };
    })();
  }

  /**
   * Tries exhausted: `queued -> failed` with the last error; unknown rows stay unknown (they may
   * have been ordered, so they are never reported Failed). Both wait for the retry job.
   */
  settleBatch(batchId: number, lastError: string, nextAttemptAt: string, now: string): void {
    const resend = this.settling.resendsUnknown;
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE rows SET state = 'failed', last_error = ?, next_attempt_at = ?, updated_at = ?,
                  note = 'not ordered: ' || ? || '; the scheduled retry will try again'
            WHERE batch_id = ? AND state = 'queued'`,
        )
        .run(lastError, nextAttemptAt, now, lastError, batchId);
      // Unknown rows are asked again within seconds, not on the schedule: a quarter of the time
      // they have been unknown, from 15 s up to an hour, so a provider that is down is not pressed.
      // Where the server may charge a repeat they are being settled instead, and keep their note.
      if (resend) this.db
        .prepare(
          `UPDATE rows SET updated_at = @now,
                  next_attempt_at = strftime('%Y-%m-%dT%H:%M:%fZ', julianday(@now) +
                    MAX(15.0 / 86400, MIN(1.0 / 24, (julianday(@now) - julianday(COALESCE(unknown_since, @now))) / 4))),
                  note = 'sent at ' || ${noteDateTimeSql('unknown_since')} ||
                         ' in a call whose reply never arrived (' || COALESCE(last_error, 'no reply') ||
                         '); being checked: it is resubmitted to ask the provider, which refuses repeats, so it cannot be charged twice'
            WHERE batch_id = @batchId AND state = 'unknown'`,
        )
        .run({ now, batchId });
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
                      ORDER BY id DESC LIMIT 1), ?),
                  id_floor = COALESCE(id_floor,
                    (SELECT floor_order_id FROM attempts WHERE attempts.batch_id = rows.batch_id AND outcome IS NULL
                      ORDER BY id DESC LIMIT 1))
            WHERE state = 'sending'`,
        )
        .run(now, now).changes;
      const attempts = this.db
        .prepare(`UPDATE attempts SET outcome = 'interrupted', finished_at = ? WHERE outcome IS NULL`)
        .run(now).changes;
      this.db.prepare(`UPDATE batches SET state = 'planned', updated_at = ? WHERE state = 'sending'`).run(now);
      // Where the server may charge a repeat, these rows are settled from the order ids, not resent.
      this.settling.settleInterrupted(now);
      return { attempts, rows };
    })();
  }

  /** Rows of a batch still to send: queued ones, and unknown ones where they are resent. */
  private rowsToSendCount(batchId: number): number {
    const sql = this.statements();
    return (this.settling.resendsUnknown ? sql.rowsWaiting : sql.queuedWaiting).get(batchId) as number;
  }

  /**
   * Rows of a service the catalogue says cannot be ordered with an IMEI alone: Failed before any
   * call, with the reason, and not retried on a timer (a retry cannot change the service).
   */
  private refuseService(batchId: number, fileId: number, reason: string, now: string): void {
    const note = `not sent: this service cannot be ordered with an IMEI alone (${reason}); choose another service for these IMEIs`;
    this.db
      .prepare(
        `UPDATE rows SET state = 'failed', last_error = ?, note = ?, next_attempt_at = NULL, updated_at = ?
          WHERE batch_id = ? AND state = 'queued'`,
      )
      .run(`service cannot be ordered with an IMEI alone (${reason})`, note, now, batchId);
    this.statements().settleBatch.run(now, batchId);
    this.touchFile(fileId);
  }

  private markSendingUnknown(ticket: AttemptTicket, reason: string, now: string): number {
    return this.statements().markUnknown.run(ticket.startedAt, ticket.floorOrderId, reason, now, ticket.batchId).changes;
  }

  private finishAttempt(ticket: AttemptTicket, outcome: string, error: string | null, now: string): void {
    this.statements().finishAttempt.run(outcome, error, now, ticket.attemptId);
  }

  /** A row of this file changed: its report, if written, is stale. */
  private touchFile(fileId: number): void {
    this.statements().touchFile.run(fileId);
  }
}
