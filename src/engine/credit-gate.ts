import { ProviderAuthError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AccountBalance, ProviderClient } from '../provider/types.js';
import type { Store } from '../store/store.js';
import type { CallBudget } from './call-budget.js';

export interface CreditGateOptions {
  /** Whether the provider reports a balance (`capabilities().hasBalance`): without one nothing is held. */
  enabled: () => boolean;
  /** Wakes the submitter's pump: a file was admitted or released. */
  wake: () => void;
  /** How long a check waits before looking at a file still being read again (ms). Default 200. */
  readPollMs?: number;
}

export interface CreditGateEvents {
  /** The balance does not cover a file: its rows wait. Alerted once while it stands. */
  onShort(message: string): void;
  /** Every file held for credit was released. */
  onCovered(): void;
  /** The provider refused the credentials while the balance was read. */
  onAuthFailed(message: string): void;
}

/** Meta keys `status` reads: the last balance read, and the files waiting for credit. */
export const BALANCE_META_KEY = 'providerBalance';
export const CREDIT_HOLD_META_KEY = 'creditHold';

/** The shortest line an IMEI takes in a CSV or text file (15 digits and a newline): a file holds at most size / this rows. */
const MIN_BYTES_PER_ROW = 16;

/** A balance read this recently is not read again to judge a file. */
const FRESH_MS = 10_000;

interface Balance {
  credit: number | undefined;
  text: string;
  currency: string | undefined;
  readAt: string;
}

type Verdict = { kind: 'covered' } | { kind: 'short'; message: string } | { kind: 'unknown' } | { kind: 'wait-for-read' };

/**
 * Money (issue 19): before a file's first order its cost (rows to send x service price) is
 * compared with the balance, less what was spent since it was read and what files already under
 * way will still spend. A file it does not cover is held, whole, with an alert: its rows wait,
 * never Failed, and are released when a balance read on the retry schedule covers them. The
 * provider's own refusal for lack of credit (ProviderNoCreditError) holds the file the same way.
 * A balance that cannot be read as a number holds nothing: the provider's refusals still do.
 */
export class CreditGate {
  private balance: Balance | undefined;
  /** What orders placed since the balance was read cost. */
  private spentSinceRead = 0;
  private readonly admitted = new Set<number>();
  private readonly held = new Map<number, string>();
  private readonly checking = new Set<number>();
  private reading: Promise<Balance | undefined> | undefined;
  private prices: Map<string, number> | undefined;

  constructor(
    private readonly store: Store,
    private readonly client: ProviderClient,
    private readonly budget: CallBudget,
    private readonly options: CreditGateOptions,
    private readonly events: CreditGateEvents,
    private readonly logger: Logger,
  ) {}

  /** Reads the balance (at start: also the cheap credentials check). Never throws. */
  async start(): Promise<void> {
    if (!this.options.enabled()) return;
    // What an earlier run held is checked again as its batches come up: `status` must not show it meanwhile.
    this.saveHolds();
    await this.readBalance();
  }

  /** Whether the pump passes over this file's batches: held, or its check still running (which then starts). */
  holds(fileId: number): boolean {
    if (!this.options.enabled() || this.admitted.has(fileId)) return false;
    if (this.held.has(fileId) || this.checking.has(fileId)) return true;
    this.checking.add(fileId);
    void this.check(fileId);
    // The check may have ended already (the balance known covers the file): no wake-up follows then.
    return !this.admitted.has(fileId);
  }

  /** Whether this file waits for the balance (not for the daemon): `run-once` does not wait for it. */
  waitsForCredit(fileId: number): boolean {
    return this.held.has(fileId);
  }

  /** Whether any file waits for credit. */
  get holdsAny(): boolean {
    return this.held.size > 0;
  }

  /** Orders just placed: they spent from the balance last read. */
  spent(serviceId: string, orders: number): void {
    if (orders > 0) this.spentSinceRead += orders * (this.priceOf(serviceId) ?? 0);
  }

  /** The catalogue changed: prices are read again. */
  pricesChanged(): void {
    this.prices = undefined;
  }

  /** The provider refused an order of this file for lack of credit: the file waits; the balance is read again before anything else is admitted. */
  holdFile(fileId: number, message: string): void {
    this.admitted.clear();
    // The figure last read is wrong now: the next check reads it again before admitting anything.
    if (this.balance) this.balance = { ...this.balance, credit: 0, readAt: new Date(0).toISOString() };
    this.hold(fileId, `the provider refused to order for lack of credit (${message})`);
  }

  /** On the retry schedule: reads the balance and releases the held files it now covers, oldest first. */
  async recheck(): Promise<void> {
    if (!this.options.enabled() || this.held.size === 0) return;
    if ((await this.readBalance()) === undefined) return;
    for (const fileId of [...this.held.keys()].sort((a, b) => a - b)) {
      const verdict = this.judge(fileId);
      if (verdict.kind === 'short' || verdict.kind === 'wait-for-read') continue;
      this.held.delete(fileId);
      this.admit(fileId);
      this.logger.info({ file: this.fileName(fileId) }, 'the balance covers the file now: its rows are sent');
    }
    this.saveHolds();
    if (this.held.size === 0) this.events.onCovered();
    this.options.wake();
  }

  private async check(fileId: number): Promise<void> {
    try {
      let verdict = this.judge(fileId);
      if ((verdict.kind === 'short' || verdict.kind === 'unknown') && !this.isFresh()) {
        // The cached figure may be old: a fresh balance decides.
        if ((await this.readBalance()) !== undefined) verdict = this.judge(fileId);
      }
      if (verdict.kind === 'wait-for-read') {
        setTimeout(() => void this.check(fileId), this.options.readPollMs ?? 200).unref();
        return;
      }
      if (verdict.kind === 'short') this.hold(fileId, verdict.message);
      else this.admit(fileId);
      this.checking.delete(fileId);
      this.options.wake();
    } catch (error) {
      this.logger.error({ err: describeError(error) }, 'cannot compare the file with the balance; it is sent as the provider allows');
      this.admitted.add(fileId);
      this.checking.delete(fileId);
      this.options.wake();
    }
  }

  /** The file may be sent; with nothing held any more, a shortage alerted earlier (maybe before a restart) is over. */
  private admit(fileId: number): void {
    this.admitted.add(fileId);
    if (this.held.size === 0) this.events.onCovered();
  }

  private hold(fileId: number, reason: string): void {
    this.checking.delete(fileId);
    const first = !this.held.has(fileId);
    this.held.set(fileId, reason);
    this.saveHolds();
    if (first) {
      this.logger.error({ file: this.fileName(fileId), reason }, 'not enough credit for this file: its rows wait, nothing is ordered');
      this.events.onShort(`${this.fileName(fileId)}: ${reason}; its rows wait (not ordered, not Failed) and are sent once the balance covers them`);
    }
  }

  /** The file's cost against what the balance has left for it. */
  private judge(fileId: number): Verdict {
    const credit = this.balance?.credit;
    if (credit === undefined) return { kind: 'unknown' };
    const file = this.store.getFile(fileId);
    if (!file) return { kind: 'covered' };
    const queued = this.queuedByService([fileId]);
    let need = this.cost(queued);
    const reading = file.state === 'reading';
    if (reading) {
      // Still being read: judged on the most rows the file can hold, else once it is read.
      const textual = !/\.xlsx$/i.test(file.inboxPath) && file.size !== null;
      if (!textual) return { kind: 'wait-for-read' };
      const rows = [...queued.values()].reduce((sum, n) => sum + n, 0);
      const price = Math.max(0, ...[...queued.keys()].map((serviceId) => this.priceOf(serviceId) ?? 0));
      need = Math.max(need, Math.floor((file.size ?? 0) / MIN_BYTES_PER_ROW) * price, rows * price);
    }
    const others = [...this.admitted].filter((id) => id !== fileId);
    const available = credit - this.spentSinceRead - this.cost(this.queuedByService(others, true));
    if (need <= available + 1e-9) return { kind: 'covered' };
    if (reading) return { kind: 'wait-for-read' };
    const rows = [...queued.values()].reduce((sum, n) => sum + n, 0);
    const currency = this.balance?.currency ? ` ${this.balance.currency}` : '';
    return {
      kind: 'short',
      message:
        `${rows} rows to order cost ${need.toFixed(2)}${currency}, and the balance (${this.balance?.text ?? ''}${currency}) ` +
        `leaves ${Math.max(0, available).toFixed(2)} for them`,
    };
  }

  private queuedByService(fileIds: readonly number[], withSending = false): Map<string, number> {
    const counts = new Map<string, number>();
    const states = withSending ? `('queued', 'sending')` : `('queued')`;
    const query = this.store.db.prepare(
      `SELECT service_id AS serviceId, COUNT(*) AS n FROM rows WHERE file_id = ? AND state IN ${states} GROUP BY service_id`,
    );
    for (const fileId of fileIds) {
      for (const row of query.all(fileId) as { serviceId: string; n: number }[]) counts.set(row.serviceId, (counts.get(row.serviceId) ?? 0) + row.n);
    }
    return counts;
  }

  private cost(counts: ReadonlyMap<string, number>): number {
    let total = 0;
    for (const [serviceId, n] of counts) total += n * (this.priceOf(serviceId) ?? 0);
    return total;
  }

  private priceOf(serviceId: string): number | undefined {
    this.prices ??= this.store.servicePrices();
    return this.prices.get(serviceId);
  }

  /** Whether the balance was read a moment ago: reading it again would tell nothing new. */
  private isFresh(): boolean {
    return this.balance !== undefined && Date.now() - Date.parse(this.balance.readAt) < FRESH_MS;
  }

  /** One read at a time, through the call budget; undefined when it failed (logged). */
  private readBalance(): Promise<Balance | undefined> {
    this.reading ??= this.readNow().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readNow(): Promise<Balance | undefined> {
    const accountInfo = this.client.accountInfo?.bind(this.client);
    if (accountInfo === undefined) return undefined;
    try {
      const info: AccountBalance = await this.budget.run('read', () => accountInfo());
      const balance: Balance = { credit: info.credit, text: info.creditText, currency: info.currency, readAt: new Date().toISOString() };
      this.balance = balance;
      this.spentSinceRead = 0;
      this.store.setMeta(BALANCE_META_KEY, JSON.stringify({ ...balance, account: this.store.accounts.currentLabel }));
      this.logger.info({ credit: info.creditText, currency: info.currency }, 'provider balance read');
      return balance;
    } catch (error) {
      if (error instanceof ProviderAuthError) this.events.onAuthFailed(error.message);
      else this.logger.warn({ err: describeError(error) }, 'cannot read the provider balance');
      return undefined;
    }
  }

  private saveHolds(): void {
    const files = [...this.held].map(([fileId, reason]) => ({ file: this.fileName(fileId), reason }));
    try {
      this.store.setMeta(CREDIT_HOLD_META_KEY, JSON.stringify({ files, at: new Date().toISOString() }));
    } catch (error) {
      this.logger.warn({ err: describeError(error) }, 'cannot record the files waiting for credit');
    }
  }

  private fileName(fileId: number): string {
    return this.store.getFile(fileId)?.inboxPath ?? `file ${fileId}`;
  }
}
