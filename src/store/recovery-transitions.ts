import { FINAL_PROVIDER_STATUSES, type OrderResult } from '../provider/types.js';
import type { AccountTransitions } from './account-transitions.js';
import type { Db } from './db.js';
import { markChangedOutsideSubmission } from './outside-changes.js';
import { adoptedNote, unconfirmedNote } from './recovery-notes.js';
import type { SettleTransitions } from './settle-transitions.js';

/** The rows of the current account whose order id is being searched for. */
export interface RecoveryWork {
  /** Rows in `recovering`. */
  rows: number;
  /**
   * The id after which a search must begin, or null when nothing needs searching: the lowest
   * highest-id-known-before-the-call among the rows being resolved (recovering or unknown) and
   * the calls in flight, whose orders may yet need finding. A call made before any order of the
   * account was known (floor 0) searches `window` ids below the lowest id known; one made before
   * floors were recorded (migration 9, no floor) `window` ids below the highest.
   */
  searchAfter: number | null;
}

export interface RecoveryOutcome {
  /** Rows that got their order (from `recovering` or `unknown`). */
  adopted: number;
  /** Files whose rows changed: their reports are stale. */
  fileIds: number[];
}

interface Match {
  rowId: number;
  fileId: number;
  serviceId: string;
  unknownSince: string | null;
  orderId: string;
  imei: string;
  status: string;
  code: string;
  requestedAt: string;
}

/**
 * Transitions of order recovery (issue 13): a lost call's orders have ids above the highest
 * id the account had given us when the call began (`rows.id_floor`), so the search asks for
 * the ids above it that the store does not know. What it finds goes to `found_orders`, and each
 * found order is adopted by the row it belongs to (same IMEI and service title, a row still
 * `recovering` or `unknown`); an order no row claims yet stays there (its call may still be
 * answered, or lost later). Ids at or below `accounts.scanned_to` were all asked once.
 */
export class RecoveryTransitions {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountTransitions,
    /** Rows settled from the order ids: an adopted order's id bounds the calls over before its own began. */
    private readonly settling?: SettleTransitions,
  ) {}

  work(window: number): RecoveryWork {
    const accountId = this.accounts.currentId;
    const rows = this.db
      .prepare(
        `SELECT COALESCE(SUM(state = 'recovering'), 0) AS rows, MIN(NULLIF(id_floor, 0)) AS lowestFloor,
                COALESCE(SUM(id_floor = 0), 0) AS fresh, COALESCE(SUM(state = 'recovering' AND id_floor IS NULL), 0) AS legacy
           FROM rows WHERE account_id = ? AND state IN ('unknown', 'recovering')`,
      )
      .get(accountId) as { rows: number; lowestFloor: number | null; fresh: number; legacy: number };
    const inFlight = this.db
      .prepare('SELECT MIN(floor_order_id) FROM attempts WHERE outcome IS NULL AND account_id = ?')
      .pluck()
      .get(accountId) as number | null;
    const starts = [rows.lowestFloor, inFlight === 0 ? null : inFlight].filter((start): start is number => start !== null);
    if (rows.legacy > 0) starts.push(this.accounts.highestOrderId() - window);
    if (rows.fresh > 0 || inFlight === 0) starts.push(this.lowestKnownOrderId() - window);
    return { rows: rows.rows, searchAfter: rows.rows === 0 || starts.length === 0 ? null : Math.max(0, Math.min(...starts)) };
  }

  /** The lowest numeric order id the current account gave us (a scan of its orders: rarely asked). */
  lowestKnownOrderId(): number {
    const lowest = this.db
      .prepare(
        `SELECT MIN(CAST(order_id AS INTEGER)) FROM orders
          WHERE account_id = ? AND order_id GLOB '[0-9]*' AND order_id NOT GLOB '*[^0-9]*'`,
      )
      .pluck()
      .get(this.accounts.currentId) as number | null;
    return lowest ?? this.accounts.highestOrderId();
  }

  /** Rows of the current account whose order id is being searched for. */
  recoveringRows(): number {
    return this.db
      .prepare(`SELECT COUNT(*) FROM rows WHERE account_id = ? AND state = 'recovering'`)
      .pluck()
      .get(this.accounts.currentId) as number;
  }

  /** Every id up to this one was asked about once. */
  scannedTo(): number {
    return this.db.prepare('SELECT scanned_to FROM accounts WHERE id = ?').pluck().get(this.accounts.currentId) as number;
  }

  advanceScannedTo(orderId: number): void {
    this.db.prepare('UPDATE accounts SET scanned_to = MAX(scanned_to, ?) WHERE id = ?').run(orderId, this.accounts.currentId);
  }

  /** Whether the store already knows this order id of the current account. */
  isKnown(orderId: string): boolean {
    const accountId = this.accounts.currentId;
    return (
      this.db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM orders WHERE account_id = @accountId AND order_id = @orderId)
               OR EXISTS (SELECT 1 FROM found_orders WHERE account_id = @accountId AND order_id = @orderId)`,
        )
        .pluck()
        .get({ accountId, orderId }) === 1
    );
  }

  /** One search answer, in one transaction: what it found is kept, then adopted where it can be. */
  recordFound(results: readonly OrderResult[], now: string): RecoveryOutcome {
    const accountId = this.accounts.currentId;
    const keep = this.db.prepare(
      `INSERT INTO found_orders (account_id, order_id, imei, package_title, status, code, requested_at, found_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(account_id, order_id) DO UPDATE SET status = excluded.status, code = excluded.code`,
    );
    return this.db.transaction(() => {
      for (const result of results) {
        // Kept even without an IMEI (some DHRU panels leave it empty): no row can claim it, but an
        // id of ours with an unknown IMEI means the rows whose range holds it cannot be settled.
        keep.run(accountId, result.orderId, result.imei, result.packageTitle, result.status, result.code, result.requestedAt, now);
      }
      this.accounts.noteOrderIds(results.map((result) => result.orderId));
      return this.adoptFound(now);
    })();
  }

  /**
   * Rows being resolved that a found order belongs to become `ordered` with it: same account
   * and IMEI, and the provider's service title equal to the catalogue's for the row's service
   * (when either is unknown, the IMEI alone). A row still `recovering` is served before an
   * `unknown` one; each order and each row is used once.
   */
  adoptFound(now: string): RecoveryOutcome {
    const accountId = this.accounts.currentId;
    return this.db.transaction((): RecoveryOutcome => {
      // Found orders that a reply has since recorded are known already.
      this.db
        .prepare(
          `DELETE FROM found_orders WHERE account_id = @accountId
              AND EXISTS (SELECT 1 FROM orders AS o WHERE o.account_id = @accountId AND o.order_id = found_orders.order_id)`,
        )
        .run({ accountId });
      const candidates = this.db
        .prepare(
          `SELECT r.id AS rowId, r.file_id AS fileId, r.service_id AS serviceId, r.unknown_since AS unknownSince,
                  f.order_id AS orderId, f.imei, f.status, f.code, f.requested_at AS requestedAt
             FROM found_orders AS f
             JOIN rows AS r ON r.imei = f.imei AND r.account_id = f.account_id AND r.state IN ('recovering', 'unknown')
             LEFT JOIN services AS s ON s.id = r.service_id
            WHERE f.account_id = ? AND (s.title IS NULL OR f.package_title = '' OR s.title = f.package_title)
            ORDER BY r.state = 'recovering' DESC, r.id, CAST(f.order_id AS INTEGER)`,
        )
        .all(accountId) as Match[];
      const usedRows = new Set<number>();
      const usedOrders = new Set<string>();
      const files = new Set<number>();
      const insertOrder = this.db.prepare(
        `INSERT INTO orders (account_id, order_id, imei, service_id, status, code, requested_at, placed_at, final)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const markOrdered = this.db.prepare(
        `UPDATE rows SET state = 'ordered', order_id = ?, note = ?, last_error = NULL, next_attempt_at = NULL,
                recover_until = NULL, updated_at = ? WHERE id = ?`,
      );
      const forget = this.db.prepare('DELETE FROM found_orders WHERE account_id = ? AND order_id = ?');
      for (const match of candidates) {
        if (usedRows.has(match.rowId) || usedOrders.has(match.orderId)) continue;
        usedRows.add(match.rowId);
        usedOrders.add(match.orderId);
        const final = (FINAL_PROVIDER_STATUSES as readonly string[]).includes(match.status) ? 1 : 0;
        const placedAt = match.unknownSince ?? now;
        insertOrder.run(accountId, match.orderId, match.imei, match.serviceId, match.status, match.code,
          match.requestedAt === '' ? null : match.requestedAt, placedAt, final);
        markOrdered.run(match.orderId, adoptedNote(match.unknownSince), now, match.rowId);
        forget.run(accountId, match.orderId);
        // Issued during the call that began at `unknown_since`: above the orders of every call over by then.
        if (match.unknownSince !== null) this.settling?.noteCeiling(match.unknownSince, [match.orderId]);
        files.add(match.fileId);
      }
      return { adopted: usedRows.size, fileIds: markChangedOutsideSubmission(this.db, files) };
    })();
  }

  /**
   * `recovering -> unconfirmed` for rows whose search window has passed: the provider holds an
   * order for them, but its id was not found. The note names the ids searched.
   */
  giveUpExpired(now: string): RecoveryOutcome {
    const accountId = this.accounts.currentId;
    return this.db.transaction((): RecoveryOutcome => {
      const scannedTo = this.scannedTo();
      const expired = this.db
        .prepare(
          `SELECT id, file_id AS fileId, unknown_since AS unknownSince, id_floor AS floor FROM rows
            WHERE account_id = ? AND state = 'recovering' AND recover_until <= ?`,
        )
        .all(accountId, now) as { id: number; fileId: number; unknownSince: string | null; floor: number | null }[];
      const settle = this.db.prepare(
        `UPDATE rows SET state = 'unconfirmed', note = ?, recover_until = NULL, updated_at = ? WHERE id = ?`,
      );
      const files = new Set<number>();
      for (const row of expired) {
        const searched = row.floor === null ? undefined : { from: row.floor + 1, to: scannedTo };
        settle.run(unconfirmedNote(row.unknownSince ?? now, searched), now, row.id);
        files.add(row.fileId);
      }
      return { adopted: 0, fileIds: markChangedOutsideSubmission(this.db, files) };
    })();
  }

  /** Unclaimed found orders, for `status`: orders of ours that no row has (yet). */
  unclaimedCount(): number {
    return this.db.prepare('SELECT COUNT(*) FROM found_orders WHERE account_id = ?').pluck().get(this.accounts.currentId) as number;
  }
}
