import { FINAL_PROVIDER_STATUSES, type OrderResult, type ProviderStatus } from '../provider/types.js';
import type { AccountTransitions } from './account-transitions.js';
import type { Db } from './db.js';
import { markChangedOutsideSubmission } from './outside-changes.js';

/** Where a poll round is in its walk over the open orders (see `openOrders`): the last order's `seq`. */
export interface OpenOrdersCursor {
  seq: number;
}

export interface OpenOrdersQuery {
  /** At most this many orders. */
  limit: number;
  /** Only orders placed at or after this ISO time (`results.maxAgeHours` back from now). */
  placedSince: string;
  /**
   * Only orders not polled since this ISO time, normally the start of the round: an order the
   * round has already asked about gets a newer `polled_at` and so drops out of the walk.
   */
  polledBefore: string;
  /** Continue after this order; absent for the first page. */
  after?: OpenOrdersCursor;
}

export interface OpenOrder {
  /** The order's place in the store (its rowid): the walk's cursor. */
  seq: number;
  orderId: string;
  imei: string;
  serviceId: string;
  /** `''` when never polled. */
  polledAt: string;
}

export interface RecordResultsOutcome {
  /** Orders whose status, result or date changed. */
  changed: number;
  /** Orders that became Completed or Rejected. */
  finalised: number;
  /** Results ignored because they name another IMEI than the order we hold. */
  mismatched: string[];
  /** Files whose reports are now stale (marked in `files.report_dirty`). */
  fileIds: number[];
}

export interface GiveUpOutcome {
  orderIds: string[];
  fileIds: number[];
}

/** The gaps between polls of one order: `results.pollIntervalSeconds`, doubling, up to `results.maxPollIntervalMinutes`. */
export interface PollIntervals {
  baseSeconds: number;
  maxSeconds: number;
}

const DEFAULT_POLL_INTERVALS: PollIntervals = { baseSeconds: 60, maxSeconds: 3600 };

/**
 * The SET clause that counts a poll and schedules the next: the gap after the n-th poll is
 * `baseSeconds` times 2^(n-1), capped (`polls` is read before it is raised). Named parameters
 * @now, @baseSeconds, @maxSeconds.
 */
const NEXT_POLL_SQL = `polls = polls + 1,
  next_poll_at = strftime('%Y-%m-%dT%H:%M:%fZ', julianday(@now) + MIN(@maxSeconds, @baseSeconds * (1 << MIN(polls, 30))) / 86400.0)`;

/** The row note of an order the daemon stopped asking about. */
export function giveUpNote(maxAgeHours: number): string {
  return `no final result after ${maxAgeHours} h; the daemon stopped asking: check the provider's site`;
}

function isFinal(status: ProviderStatus): boolean {
  return FINAL_PROVIDER_STATUSES.includes(status);
}

/**
 * Transitions of result polling: open orders are read page by page, each `getimeis` reply is
 * recorded in one transaction, and an order that stays open past `results.maxAgeHours` is given
 * up with a note. Whatever changes an order also marks stale the report of every file that shows
 * it: the files of its rows, and of the rows marked duplicates of them (their NOTE names it).
 */
export class OrderTransitions {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountTransitions,
  ) {}

  /**
   * Orders of the current account (the only ones its client can ask about) not final yet, placed
   * within the age limit, not yet asked about this round, in the
   * order they were placed. The walk follows the rowid through the partial index of open orders,
   * so a round costs one pass however many orders the store holds (sorting by poll time instead
   * made each page a sort of every open order: minutes per round at a million orders).
   */
  openOrders(query: OpenOrdersQuery): OpenOrder[] {
    return this.db
      .prepare(
        `SELECT rowid AS seq, order_id AS orderId, imei, service_id AS serviceId, COALESCE(polled_at, '') AS polledAt
           FROM orders INDEXED BY orders_open
          WHERE final = 0 AND rowid > ? AND placed_at >= ? AND account_id = ?
            AND (polled_at IS NULL OR polled_at < ?)
          ORDER BY rowid
          LIMIT ?`,
      )
      .all(query.after?.seq ?? 0, query.placedSince, this.accounts.currentId, query.polledBefore, query.limit) as OpenOrder[];
  }

  /**
   * One `getimeis` reply, in one transaction: status, result and provider date of each order;
   * Completed and Rejected become final. A result naming another IMEI than ours is ignored, so a
   * provider mix-up can never put one phone's result on another phone's row.
   */
  recordResults(results: readonly OrderResult[], now: string, intervals: PollIntervals = DEFAULT_POLL_INTERVALS): RecordResultsOutcome {
    const accountId = this.accounts.currentId;
    const current = this.db.prepare(
      `SELECT imei, service_id AS serviceId, status, code, requested_at AS requestedAt
         FROM orders WHERE account_id = ? AND order_id = ? AND final = 0`,
    );
    const update = this.db.prepare(
      `UPDATE orders SET status = @status, code = @code, requested_at = @requestedAt, polled_at = @now, final = @final,
              ${NEXT_POLL_SQL}
        WHERE account_id = @accountId AND order_id = @orderId`,
    );
    const touchOnly = this.db.prepare(
      `UPDATE orders SET polled_at = @now, ${NEXT_POLL_SQL} WHERE account_id = @accountId AND order_id = @orderId`,
    );
    const base = { now, accountId, baseSeconds: intervals.baseSeconds, maxSeconds: intervals.maxSeconds };
    const filesShowing = this.filesShowingQuery();
    return this.db.transaction((): RecordResultsOutcome => {
      const outcome: RecordResultsOutcome = { changed: 0, finalised: 0, mismatched: [], fileIds: [] };
      const files = new Set<number>();
      for (const result of results) {
        const held = current.get(accountId, result.orderId) as
          | { imei: string; serviceId: string; status: string; code: string; requestedAt: string | null }
          | undefined;
        if (!held) continue;
        if (result.imei !== '' && result.imei !== held.imei) {
          outcome.mismatched.push(result.orderId);
          touchOnly.run({ ...base, orderId: result.orderId });
          continue;
        }
        const requestedAt = result.requestedAt !== '' ? result.requestedAt : held.requestedAt;
        const final = isFinal(result.status);
        if (held.status === result.status && held.code === result.code && held.requestedAt === requestedAt && !final) {
          touchOnly.run({ ...base, orderId: result.orderId });
          continue;
        }
        update.run({ ...base, orderId: result.orderId, status: result.status, code: result.code, requestedAt, final: final ? 1 : 0 });
        outcome.changed += 1;
        if (final) outcome.finalised += 1;
        for (const fileId of filesShowing(accountId, result.orderId, held.imei, held.serviceId)) files.add(fileId);
      }
      outcome.fileIds = markChangedOutsideSubmission(this.db, files);
      return outcome;
    })();
  }

  /** Orders asked about that the reply left out (unknown to the provider, for now): asked again later, backing off. */
  markPolled(orderIds: readonly string[], now: string, intervals: PollIntervals = DEFAULT_POLL_INTERVALS): void {
    const touch = this.db.prepare(
      `UPDATE orders SET polled_at = @now, ${NEXT_POLL_SQL} WHERE account_id = @accountId AND order_id = @orderId AND final = 0`,
    );
    const base = { now, accountId: this.accounts.currentId, baseSeconds: intervals.baseSeconds, maxSeconds: intervals.maxSeconds };
    this.db.transaction(() => {
      for (const orderId of orderIds) touch.run({ ...base, orderId });
    })();
  }

  /**
   * Orders placed more than `maxAgeHours` ago and still not final stop being asked about: they
   * become final with a note the row's NOTE shows. Their status stays the provider's last word.
   * Every account's: an order of an account no longer configured is never asked about again.
   */
  giveUpStaleOrders(maxAgeHours: number, now: string): GiveUpOutcome {
    const cutoff = new Date(Date.parse(now) - maxAgeHours * 3_600_000).toISOString();
    const note = giveUpNote(maxAgeHours);
    const filesShowing = this.filesShowingQuery();
    return this.db.transaction((): GiveUpOutcome => {
      const stale = this.db
        .prepare(
          `UPDATE orders SET final = 1, note = ?, polled_at = COALESCE(polled_at, ?)
            WHERE final = 0 AND placed_at < ?
           RETURNING account_id AS accountId, order_id AS orderId, imei, service_id AS serviceId`,
        )
        .all(note, now, cutoff) as { accountId: number; orderId: string; imei: string; serviceId: string }[];
      const files = new Set<number>();
      for (const order of stale) {
        for (const fileId of filesShowing(order.accountId, order.orderId, order.imei, order.serviceId)) files.add(fileId);
      }
      return { orderIds: stale.map((order) => order.orderId), fileIds: markChangedOutsideSubmission(this.db, files) };
    })();
  }

  /**
   * Files with a row on an order or a row marked a duplicate of one. Looked up through the
   * IMEI and service (`rows_by_imei`), since a duplicate row has no order id of its own but
   * always repeats both. Prepared once per transition, run once per order.
   */
  private filesShowingQuery(): (accountId: number, orderId: string, imei: string, serviceId: string) => number[] {
    const query = this.db
      .prepare(
        `SELECT DISTINCT file_id FROM rows
          WHERE imei = ? AND service_id = ? AND ((account_id = ? AND order_id = ?) OR duplicate_of IS NOT NULL)`,
      )
      .pluck();
    return (accountId, orderId, imei, serviceId) => query.all(imei, serviceId, accountId, orderId) as number[];
  }
}
