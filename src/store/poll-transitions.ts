import type { AccountTransitions } from './account-transitions.js';
import type { Db } from './db.js';
import type { OpenOrder } from './order-transitions.js';

/** An open order not yet given its first poll time (placed, or adopted, since the last round). */
export interface UnscheduledOrder {
  orderId: string;
  serviceId: string;
  placedAt: string;
  /** The service's delivery time from the catalogue (`TimeTaken`), when known. */
  timeTaken: string | null;
}

/**
 * The poll schedule of open orders (migration 10): each has its own `next_poll_at`, so a round
 * asks only the orders that are due, through the partial index `orders_due`. A new order is
 * scheduled by the poller on its first round after placing (`scheduleFirstPolls`), which keeps
 * the reply recording of submission, the hot path, free of it; every poll then schedules the
 * next (OrderTransitions.recordResults / markPolled).
 */
export class PollTransitions {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountTransitions,
  ) {}

  /** Open orders of the current account with no poll time yet, oldest first. */
  unscheduled(limit: number): UnscheduledOrder[] {
    return this.db
      .prepare(
        `SELECT o.order_id AS orderId, o.service_id AS serviceId, o.placed_at AS placedAt, s.time_taken AS timeTaken
           FROM orders AS o INDEXED BY orders_due LEFT JOIN services AS s ON s.id = o.service_id
          WHERE o.account_id = ? AND o.final = 0 AND o.next_poll_at IS NULL
          LIMIT ?`,
      )
      .all(this.accounts.currentId, limit) as UnscheduledOrder[];
  }

  /** Gives each order its first poll time. */
  scheduleFirstPolls(schedule: readonly { orderId: string; nextPollAt: string }[]): void {
    const update = this.db.prepare(
      'UPDATE orders SET next_poll_at = ? WHERE account_id = ? AND order_id = ? AND next_poll_at IS NULL',
    );
    const accountId = this.accounts.currentId;
    this.db.transaction(() => {
      for (const item of schedule) update.run(item.nextPollAt, accountId, item.orderId);
    })();
  }

  /**
   * Open orders of the current account whose poll is due at `now`, placed within the age limit,
   * not asked about since `polledBefore` (the start of the round), soonest due first.
   */
  due(query: { now: string; placedSince: string; polledBefore: string; limit: number }): OpenOrder[] {
    return this.db
      .prepare(
        `SELECT rowid AS seq, order_id AS orderId, imei, service_id AS serviceId, COALESCE(polled_at, '') AS polledAt
           FROM orders INDEXED BY orders_due
          WHERE account_id = ? AND final = 0 AND next_poll_at <= ? AND placed_at >= ?
            AND (polled_at IS NULL OR polled_at < ?)
          ORDER BY next_poll_at
          LIMIT ?`,
      )
      .all(this.accounts.currentId, query.now, query.placedSince, query.polledBefore, query.limit) as OpenOrder[];
  }

  /** Orders whose poll failed (the provider did not answer): asked again at `until`, not in this round. */
  postpone(orderIds: readonly string[], until: string): void {
    const update = this.db.prepare('UPDATE orders SET next_poll_at = ? WHERE account_id = ? AND order_id = ? AND final = 0');
    const accountId = this.accounts.currentId;
    this.db.transaction(() => {
      for (const orderId of orderIds) update.run(until, accountId, orderId);
    })();
  }

  /** When the next open order of the current account is due, if any (for the poller's timer and `status`). */
  nextDueAt(): string | undefined {
    return (
      (this.db
        .prepare(`SELECT MIN(next_poll_at) FROM orders INDEXED BY orders_due WHERE account_id = ? AND final = 0`)
        .pluck()
        .get(this.accounts.currentId) as string | null) ?? undefined
    );
  }
}
