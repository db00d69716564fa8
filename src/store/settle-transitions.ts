import type { AccountTransitions } from './account-transitions.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { markChangedOutsideSubmission } from './outside-changes.js';
import { planBatches } from './plan-batches.js';
import { notOrderedNote, settlingNoteSql, type UndecidedRow, undecidedNote } from './settle-notes.js';

/**
 * How the current account's unknown outcomes are resolved, from the provider's capabilities
 * (set at start, before anything is recovered or sent).
 */
export interface SettlePolicy {
  /**
   * Whether an unknown row is resubmitted to confirm it: only where the server refuses a repeat
   * (GSM Fusion; DHRU with `refusesRepeats`). False: never resent; settled from the order ids.
   * Default true.
   */
  resendUnknown: boolean;
  /**
   * After a call that ended without a whole reply (timeout, reset, a crash), how long its server
   * may still be working on it (`provider.timeoutMs`): only ids issued to calls begun after that
   * are known to lie above its orders. Default 30000.
   */
  callMarginMs: number;
  /** How long an unknown row is worked on before it ends `Unknown` (`retry.maxAgeHours`). Default 72 h. */
  windowMs: number;
}

export const DEFAULT_SETTLE_POLICY: Readonly<SettlePolicy> = Object.freeze({
  resendUnknown: true,
  callMarginMs: 30_000,
  windowMs: 72 * 3_600_000,
});

/** Rows of the current account being settled, and where a search of the order ids must begin. */
export interface SettleWork {
  rows: number;
  /** The id after which unread ids may hold a lost order; null when nothing needs reading. */
  searchAfter: number | null;
  /** Rows still without a ceiling: no call begun after theirs was over has been answered yet. */
  withoutCeiling: number;
  /** When the last of those calls is certainly over (ISO), for a call that must begin after it. */
  lastCallOverAt: string | null;
}

export interface SettleOutcome {
  /** Rows shown not ordered by the ids: queued again and planned. */
  requeued: number;
  /** Rows given up: they end `Unknown`. */
  givenUp: number;
  /** Files whose rows changed: their reports are stale. */
  fileIds: number[];
}

/** A numeric order id, as SQL over `column` (non-numeric ids are left out of every range). */
const NUMERIC = (column: string): string => `${column} GLOB '[0-9]*' AND ${column} NOT GLOB '*[^0-9]*'`;

/**
 * Unknown rows of the current account (`account_id = ?` first) still being settled. The `IN` term
 * repeats the partial index rows_resolving's own condition: SQLite uses a partial index only when
 * the query states it, and without it every reply's ceiling update scanned all rows.
 */
const RESOLVING = `state IN ('unknown', 'recovering') AND state = 'unknown'`;
const SETTLING = `${RESOLVING} AND call_over_at IS NOT NULL AND next_attempt_at IS NOT NULL`;

interface SettlingRow extends UndecidedRow {
  id: number;
  fileId: number;
}

/**
 * Transitions of settling an unknown outcome on a server that may order and charge a repeat
 * (issue 19). Such a row is never resent. The provider's order ids ascend, so if its call placed
 * an order, the order's id lies above `id_floor` (the highest id known when the call began) and
 * below `id_ceiling` (the lowest id issued to a call begun after it was certainly over). Once
 * every id between has been read (RecoveryTransitions keeps what was found and how far ids were
 * read) and none carries the row's IMEI, the row was not ordered and is queued again. A row
 * found is adopted by RecoveryTransitions; one that cannot be decided ends `Unknown`.
 */
export class SettleTransitions {
  policy: SettlePolicy = { ...DEFAULT_SETTLE_POLICY };
  /** Statements run for every reply or round, prepared once: preparing cost more than running them. */
  private readonly prepared = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountTransitions,
  ) {}

  private statement(sql: string): Statement {
    let statement = this.prepared.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  get resendsUnknown(): boolean {
    return this.policy.resendUnknown;
  }

  /**
   * Inside the caller's transaction: the rows of this batch that just became unknown begin to be
   * settled (when unknown rows are not resent). `over` says when their call is certainly over:
   * `now` for a whole reply that left them out, else one call margin later.
   */
  markSettling(batchId: number, over: 'now' | 'after-margin', now: string): number {
    if (this.policy.resendUnknown) return 0;
    const callOverAt = over === 'now' ? now : new Date(Date.parse(now) + this.policy.callMarginMs).toISOString();
    return this.statement(
      `UPDATE rows SET call_over_at = @callOverAt, id_ceiling = NULL, next_attempt_at = @until, note = ${settlingNoteSql()}
        WHERE batch_id = @batchId AND state = 'unknown' AND call_over_at IS NULL`,
    ).run({ batchId, callOverAt, until: this.until(now) }).changes;
  }

  /**
   * After a crash: rows of the current account left unknown and not yet settled (calls that were
   * in flight, or rows resubmitted before the policy changed) begin to be settled. Their calls
   * may still be running at the provider: over two timeouts after they began, and not before
   * one margin from now.
   */
  settleInterrupted(now: string): number {
    if (this.policy.resendUnknown) return 0;
    const margin = this.policy.callMarginMs;
    const rows = this.db
      .prepare(`SELECT id, unknown_since AS since FROM rows WHERE account_id = ? AND ${RESOLVING} AND call_over_at IS NULL`)
      .all(this.accounts.currentId) as { id: number; since: string | null }[];
    const mark = this.db.prepare(
      `UPDATE rows SET call_over_at = ?, id_ceiling = NULL, next_attempt_at = ?, note = ${settlingNoteSql()} WHERE id = ?`,
    );
    const atLeast = Date.parse(now) + margin;
    this.db.transaction(() => {
      for (const row of rows) {
        const since = row.since === null ? atLeast : Date.parse(row.since) + 2 * margin;
        mark.run(new Date(Math.max(since, atLeast)).toISOString(), this.until(now), row.id);
      }
    })();
    return rows.length;
  }

  /**
   * When unknown rows are resent again (the operator declared that the server refuses repeats):
   * rows left settling by an earlier start are resubmitted soon, as any unknown row.
   */
  resumeResending(now: string): number {
    if (!this.policy.resendUnknown) return 0;
    return this.db
      .prepare(
        `UPDATE rows SET call_over_at = NULL, id_ceiling = NULL, next_attempt_at = ?
          WHERE account_id = ? AND ${RESOLVING} AND call_over_at IS NOT NULL`,
      )
      .run(now, this.accounts.currentId).changes;
  }

  /**
   * Inside the caller's transaction: order ids just issued to a call that began at `startedAt`.
   * For every row being settled whose call was over by then, they lie above its lost orders.
   */
  noteCeiling(startedAt: string, orderIds: readonly string[]): void {
    if (this.policy.resendUnknown || orderIds.length === 0) return;
    let lowest = Number.POSITIVE_INFINITY;
    for (const orderId of orderIds) if (/^\d{1,15}$/.test(orderId)) lowest = Math.min(lowest, Number(orderId));
    if (!Number.isFinite(lowest)) return;
    this.statement(
      `UPDATE rows SET id_ceiling = @lowest
        WHERE account_id = @accountId AND ${RESOLVING} AND call_over_at IS NOT NULL AND call_over_at <= @startedAt
          AND (id_ceiling IS NULL OR id_ceiling > @lowest)`,
    ).run({ lowest, accountId: this.accounts.currentId, startedAt });
  }

  /**
   * When the last call of the rows still waiting for a ceiling is certainly over: a call begun
   * after it issues ids that bound them all. Null when no row waits for one.
   */
  lastCallOverAt(): string | null {
    if (this.policy.resendUnknown) return null;
    return this.statement(`SELECT MAX(call_over_at) FROM rows WHERE account_id = ? AND ${SETTLING} AND id_ceiling IS NULL`)
      .pluck()
      .get(this.accounts.currentId) as string | null;
  }

  /** Rows of the current account being settled (report STATUS `Checking`). */
  settlingRows(): number {
    if (this.policy.resendUnknown) return 0;
    return this.statement(`SELECT COUNT(*) FROM rows WHERE account_id = ? AND ${SETTLING}`).pluck().get(this.accounts.currentId) as number;
  }

  /**
   * What a search round must read: from the lowest floor of the rows being settled and of the
   * calls in flight (their rows may join). Rows sent before any order id was known (floor 0)
   * search `window` ids below the lowest id known, for adoption only.
   */
  work(window: number, lowestKnownOrderId: () => number): SettleWork {
    const accountId = this.accounts.currentId;
    const rows = this.db
      .prepare(
        `SELECT COUNT(*) AS rows, MIN(NULLIF(id_floor, 0)) AS lowestFloor, COALESCE(SUM(COALESCE(id_floor, 0) = 0), 0) AS fresh,
                COALESCE(SUM(id_ceiling IS NULL), 0) AS withoutCeiling,
                MAX(CASE WHEN id_ceiling IS NULL THEN call_over_at END) AS lastCallOverAt
           FROM rows WHERE account_id = ? AND ${SETTLING}`,
      )
      .get(accountId) as { rows: number; lowestFloor: number | null; fresh: number; withoutCeiling: number; lastCallOverAt: string | null };
    const inFlight = this.db
      .prepare('SELECT MIN(floor_order_id) FROM attempts WHERE outcome IS NULL AND account_id = ?')
      .pluck()
      .get(accountId) as number | null;
    const starts = [rows.lowestFloor, inFlight === 0 ? null : inFlight].filter((start): start is number => start !== null);
    if (rows.fresh > 0 || inFlight === 0) starts.push(lowestKnownOrderId() - window);
    const searchAfter = rows.rows === 0 || starts.length === 0 ? null : Math.max(0, Math.min(...starts));
    return { rows: rows.rows, searchAfter, withoutCeiling: rows.withoutCeiling, lastCallOverAt: rows.lastCallOverAt };
  }

  /**
   * Rows whose every id between floor and ceiling has been read (`scannedTo`) without one that
   * carries their IMEI were not ordered: `unknown -> queued`, planned again. An id in range
   * holding their IMEI (another service's order, or one whose IMEI the server left empty) makes
   * the row undecidable here: it is left for `giveUpUndecided`.
   */
  decide(scannedTo: number, batchSize: number, now: string): SettleOutcome {
    const accountId = this.accounts.currentId;
    return this.db.transaction((): SettleOutcome => {
      const candidates = this.db
        .prepare(
          `SELECT id, file_id AS fileId, imei, unknown_since AS unknownSince, call_over_at AS callOverAt, id_floor AS floor,
                  id_ceiling AS ceiling, last_error AS lastError
             FROM rows WHERE account_id = ? AND ${SETTLING} AND id_floor > 0 AND id_ceiling IS NOT NULL AND id_ceiling - 1 <= ?`,
        )
        .all(accountId, scannedTo) as SettlingRow[];
      const ordersInRange = this.db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM rows AS o WHERE o.imei = @imei AND o.account_id = @accountId AND o.order_id IS NOT NULL
                            AND ${NUMERIC('o.order_id')} AND CAST(o.order_id AS INTEGER) > @floor AND CAST(o.order_id AS INTEGER) < @ceiling)
               OR EXISTS (SELECT 1 FROM found_orders AS f WHERE f.account_id = @accountId AND f.imei IN (@imei, '')
                            AND ${NUMERIC('f.order_id')} AND CAST(f.order_id AS INTEGER) > @floor AND CAST(f.order_id AS INTEGER) < @ceiling)`,
        )
        .pluck();
      const requeue = this.db.prepare(
        `UPDATE rows SET state = 'queued', batch_id = NULL, unknown_since = NULL, id_floor = NULL, call_over_at = NULL,
                id_ceiling = NULL, next_attempt_at = NULL, last_error = NULL, note = ?, updated_at = ?
          WHERE id = ?`,
      );
      const files = new Set<number>();
      let requeued = 0;
      for (const row of candidates) {
        const floor = row.floor as number;
        const ceiling = row.ceiling as number;
        if (ordersInRange.get({ imei: row.imei, accountId, floor, ceiling }) === 1) continue;
        requeue.run(notOrderedNote(row.unknownSince, floor, ceiling), now, row.id);
        files.add(row.fileId);
        requeued += 1;
      }
      for (const fileId of files) planBatches(this.db, fileId, batchSize, now);
      return { requeued, givenUp: 0, fileIds: markChangedOutsideSubmission(this.db, files) };
    })();
  }

  /**
   * Rows that can no longer be decided end `Unknown` (not resent; the note says what to check):
   * with `expiredOnly`, those past the window; otherwise every row still being settled, which the
   * caller asks for when nothing more can come (no call is left to issue a ceiling, and every id
   * up to the highest known has been read).
   */
  giveUpUndecided(now: string, expiredOnly: boolean): SettleOutcome {
    const accountId = this.accounts.currentId;
    return this.db.transaction((): SettleOutcome => {
      const rows = this.db
        .prepare(
          `SELECT id, file_id AS fileId, imei, unknown_since AS unknownSince, call_over_at AS callOverAt, id_floor AS floor,
                  id_ceiling AS ceiling, last_error AS lastError
             FROM rows WHERE account_id = ? AND ${SETTLING} ${expiredOnly ? 'AND next_attempt_at <= ?' : ''}`,
        )
        .all(...(expiredOnly ? [accountId, now] : [accountId])) as SettlingRow[];
      const settle = this.db.prepare('UPDATE rows SET next_attempt_at = NULL, note = ?, updated_at = ? WHERE id = ?');
      const files = new Set<number>();
      for (const row of rows) {
        settle.run(undecidedNote(row, reasonOf(row, expiredOnly)), now, row.id);
        files.add(row.fileId);
      }
      return { requeued: 0, givenUp: rows.length, fileIds: markChangedOutsideSubmission(this.db, files) };
    })();
  }

  private until(now: string): string {
    return new Date(Date.parse(now) + this.policy.windowMs).toISOString();
  }
}

function reasonOf(row: SettlingRow, expired: boolean): string {
  if (expired) return 'the daemon ran out of time reading the order ids';
  if (row.floor === null || row.floor === 0) return 'it was sent before this account had any order id to compare with';
  if (row.ceiling === null) return 'no order was placed after that call, so no later order id bounds it';
  return 'an order id in that range holds this IMEI for another service, or does not say which IMEI it holds';
}
