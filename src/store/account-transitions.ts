import type { Db } from './db.js';

/** A provider account as the store knows it (migration 9). */
export interface AccountRecord {
  id: number;
  /** Protocol, server and user name: what makes two order ids comparable. Never the API key. */
  key: string;
  /** For people: `hammerfusion.com (user)`, `built-in simulator`. */
  label: string;
}

/** The key of the account that holds what was stored before accounts were recorded. */
export const UNCLAIMED_ACCOUNT_KEY = 'unclaimed';

/**
 * The numeric value of an order id, when it is a plain decimal number (GSM Fusion's are); other
 * ids cannot be placed in the ascending sequence that recovery searches.
 */
export function orderIdNumber(orderId: string): number | undefined {
  return /^\d{1,15}$/.test(orderId) ? Number(orderId) : undefined;
}

/**
 * The provider account this daemon orders with, chosen once at start (`select`). Every
 * transition that touches orders reads it here, so one daemon never mixes two accounts' ids,
 * and keeps the highest order id seen so far in memory: each call records it as its floor.
 */
export class AccountTransitions {
  private current: (AccountRecord & { maxOrderId: number }) | undefined;
  /** Per service: IMEIs per call when the server was seen to order fewer than it was sent. */
  private readonly imeisPerCallCache = new Map<string, number | undefined>();
  /** Whether the current account has given us any order id (numeric or not); once true, for good. */
  private anyOrder = false;

  constructor(private readonly db: Db) {}

  /**
   * Makes the account with this key the current one, creating it if new. The first account
   * selected after the upgrade to migration 9 takes over what was stored before (`unclaimed`).
   */
  select(key: string, label: string, now: string): AccountRecord {
    const row = this.db.transaction(() => {
      const known = this.db.prepare('SELECT id FROM accounts WHERE key = ?').pluck().get(key) as number | undefined;
      if (known !== undefined) {
        this.db.prepare('UPDATE accounts SET label = ? WHERE id = ?').run(label, known);
        return known;
      }
      const claimed = this.db
        .prepare(`UPDATE accounts SET key = ?, label = ? WHERE key = ? RETURNING id`)
        .pluck()
        .get(key, label, UNCLAIMED_ACCOUNT_KEY) as number | undefined;
      if (claimed !== undefined) return claimed;
      return Number(
        this.db.prepare('INSERT INTO accounts (key, label, created_at) VALUES (?, ?, ?)').run(key, label, now).lastInsertRowid,
      );
    })();
    const maxOrderId = this.db.prepare('SELECT max_order_id FROM accounts WHERE id = ?').pluck().get(row) as number;
    this.current = { id: row, key, label, maxOrderId };
    this.imeisPerCallCache.clear();
    this.anyOrder = maxOrderId > 0;
    return { id: row, key, label };
  }

  /** The current account's id; throws when none was selected (a read-only command). */
  get currentId(): number {
    if (!this.current) throw new Error('no provider account selected');
    return this.current.id;
  }

  get currentLabel(): string {
    return this.current?.label ?? '';
  }

  /** The highest order id the current account has given us: a call's orders will lie above it. */
  highestOrderId(): number {
    return this.current?.maxOrderId ?? 0;
  }

  /**
   * Order ids just learnt (inside the caller's transaction): raises the highest known. Kept in
   * memory even if that transaction rolls back: the ids exist at the provider all the same, so
   * they remain a true lower bound for the orders of any later call.
   */
  noteOrderIds(orderIds: Iterable<string>): void {
    const current = this.current;
    if (!current) return;
    let highest = current.maxOrderId;
    for (const orderId of orderIds) {
      highest = Math.max(highest, orderIdNumber(orderId) ?? 0);
      this.anyOrder = true;
    }
    if (highest === current.maxOrderId) return;
    this.db.prepare('UPDATE accounts SET max_order_id = MAX(max_order_id, ?) WHERE id = ?').run(highest, current.id);
    current.maxOrderId = highest;
  }

  /**
   * Whether the current account has given us any order id: before the first, no call has a
   * known id below its own (see BracketingCalls). Ids that are not numbers count too: a server
   * issuing those cannot be searched by id anyway, and its calls are never held back for it.
   */
  hasOrders(): boolean {
    if (this.anyOrder || !this.current) return this.anyOrder;
    this.anyOrder = this.db.prepare('SELECT EXISTS (SELECT 1 FROM orders WHERE account_id = ?)').pluck().get(this.current.id) === 1;
    return this.anyOrder;
  }

  /** IMEIs per call the server was found to take for a service; undefined: as many as sent. */
  imeisPerCall(serviceId: string): number | undefined {
    if (this.imeisPerCallCache.has(serviceId)) return this.imeisPerCallCache.get(serviceId);
    const value = this.current
      ? (this.db
          .prepare('SELECT imeis_per_call FROM service_modes WHERE account_id = ? AND service_id = ?')
          .pluck()
          .get(this.current.id, serviceId) as number | undefined)
      : undefined;
    this.imeisPerCallCache.set(serviceId, value);
    return value;
  }

  /** Remembers that the server orders one IMEI per call for this service; true if that is news. */
  rememberOneImeiPerCall(serviceId: string, reason: string, now: string): boolean {
    if (this.imeisPerCall(serviceId) === 1) return false;
    this.db
      .prepare(
        `INSERT INTO service_modes (account_id, service_id, imeis_per_call, reason, since) VALUES (?, ?, 1, ?, ?)
         ON CONFLICT(account_id, service_id) DO UPDATE SET imeis_per_call = 1, reason = excluded.reason, since = excluded.since`,
      )
      .run(this.currentId, serviceId, reason, now);
    this.imeisPerCallCache.set(serviceId, 1);
    return true;
  }

  /** Services of the current account served one IMEI per call, for `status`. */
  oneImeiServices(): { serviceId: string; reason: string; since: string }[] {
    if (!this.current) return [];
    return this.db
      .prepare(
        `SELECT service_id AS serviceId, reason, since FROM service_modes WHERE account_id = ? AND imeis_per_call = 1
          ORDER BY service_id`,
      )
      .all(this.current.id) as { serviceId: string; reason: string; since: string }[];
  }
}
