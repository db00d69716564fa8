import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProviderClient } from '../provider/types.js';
import type { Store } from '../store/store.js';
import type { CallBudget } from './call-budget.js';

export interface OrderRecoveryOptions {
  /** Order ids one `getimeis` call asks about (the provider's limit). Default 100. */
  idsPerCall?: number;
  /** Known-issued ids asked about in one round at most; the next round goes on. Default 5000. */
  maxIdsPerRound?: number;
  /**
   * Calls a round makes above the highest id known (ids issued since, or to a lost call that was
   * the last): it stops at the first call that finds nothing of ours. Default 3.
   */
  probeCalls?: number;
  /** Wait before the next round while rows wait; doubles each round, up to `maxDelayMs`. Default 1000. */
  firstDelayMs?: number;
  /** Default 60000. */
  maxDelayMs?: number;
}

export interface OrderRecoveryEvents {
  /** Rows of these files changed (orders adopted, searches given up): their reports are stale. */
  onFilesChanged(fileIds: readonly number[]): void;
}

const DEFAULTS: Required<OrderRecoveryOptions> = {
  idsPerCall: 100,
  maxIdsPerRound: 5000,
  probeCalls: 3,
  firstDelayMs: 1000,
  maxDelayMs: 60_000,
};

/**
 * Finds the order ids of rows whose call was lost but whose order the provider holds (it refused
 * their resubmission as a repeat: `recovering`). The provider's order ids ascend, so the orders
 * of a lost call lie above the highest id the account had given us when the call began; a round
 * asks `getimeis` for the ids above that which the store does not know, 100 a call through the
 * call budget, then a few calls above the highest id known. Other accounts' ids in
 * between answer nothing. What is found is adopted by its row (see RecoveryTransitions); a row
 * not found within the store's search window becomes `Unconfirmed`. Rounds repeat, backing off,
 * while rows wait; never two at once.
 */
export class OrderRecovery {
  private readonly options: Required<OrderRecoveryOptions>;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private again = false;
  private delayMs: number;
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly client: ProviderClient,
    options: OrderRecoveryOptions,
    private readonly logger: Logger,
    private readonly events: OrderRecoveryEvents,
    /** Every call to the provider goes through it, placing calls first. */
    private readonly budget: CallBudget,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.delayMs = this.options.firstDelayMs;
  }

  /** A round now (rows may wait from before a restart). */
  start(): void {
    this.wake();
  }

  /** Rows just started waiting for their order id: a round soon, from the shortest delay. */
  wake(): void {
    if (this.stopping) return;
    this.delayMs = this.options.firstDelayMs;
    if (this.round) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Whether rows still wait for their order id (`run-once` waits for them). */
  isBusy(): boolean {
    return this.round !== undefined || this.timer !== undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  private schedule(delayMs: number): void {
    if (this.stopping || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.round = this.runRound()
        .catch((error: unknown) => this.logger.error({ err: describeError(error) }, 'order id search failed; it tries again'))
        .finally(() => {
          this.round = undefined;
          this.afterRound();
        });
    }, delayMs);
  }

  private afterRound(): void {
    if (this.stopping) return;
    let waiting = 0;
    try {
      waiting = this.store.recovery.recoveringRows();
    } catch (error) {
      this.logger.error({ err: describeError(error) }, 'cannot read the rows waiting for their order id');
      waiting = 1;
    }
    if (waiting === 0 && !this.again) return;
    const delay = this.again ? 0 : this.delayMs;
    this.again = false;
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs);
    this.schedule(delay);
  }

  private async runRound(): Promise<void> {
    const recovery = this.store.recovery;
    this.changed(recovery.adoptFound(new Date().toISOString()).fileIds);
    const work = recovery.work(this.options.maxIdsPerRound);
    if (work.searchAfter === null) return;
    const highest = this.store.accounts.highestOrderId();
    const from = Math.max(work.searchAfter, recovery.scannedTo()) + 1;
    const asked = await this.askRange(from, highest, this.options.maxIdsPerRound, true);
    if (asked !== undefined) await this.probeAbove(highest);
    const now = new Date().toISOString();
    this.changed(recovery.adoptFound(now).fileIds);
    const expired = recovery.giveUpExpired(now);
    if (expired.fileIds.length > 0) {
      this.logger.warn({ files: expired.fileIds.length }, 'orders the provider holds were not found by their ids: rows Unconfirmed, see NOTE');
    }
    this.changed(expired.fileIds);
  }

  /**
   * Asks about the unknown ids from `from` to `to`, at most `budget` of them; with `advance`, each
   * answered call moves `scanned_to` up (those ids are certainly issued). Returns how many orders
   * were found, or undefined when a call failed (the round ends; the next one goes on).
   */
  private async askRange(from: number, to: number, budget: number, advance: boolean): Promise<number | undefined> {
    let next = from;
    let asked = 0;
    let found = 0;
    while (next <= to && asked < budget && !this.stopping) {
      const ids: string[] = [];
      while (next <= to && ids.length < this.options.idsPerCall) {
        const id = String(next);
        next += 1;
        if (!this.store.recovery.isKnown(id)) ids.push(id);
      }
      asked += ids.length;
      if (ids.length > 0) {
        const answered = await this.ask(ids);
        if (answered === undefined) return undefined;
        found += answered;
      }
      if (advance) this.store.recovery.advanceScannedTo(next - 1);
    }
    return found;
  }

  /** Ids above the highest known, a call at a time, until a call finds nothing of ours. */
  private async probeAbove(highest: number): Promise<void> {
    const size = this.options.idsPerCall;
    for (let call = 0; call < this.options.probeCalls && !this.stopping; call += 1) {
      const start = highest + 1 + call * size;
      const found = await this.askRange(start, start + size - 1, size, false);
      if (!found) return;
    }
  }

  /** One `getimeis` for these ids; what it finds is recorded. Returns how many orders it found. */
  private async ask(ids: readonly string[]): Promise<number | undefined> {
    try {
      const results = await this.budget.run('read', () => this.client.getOrders(ids));
      const outcome = this.store.recovery.recordFound(results, new Date().toISOString());
      if (outcome.adopted > 0) this.logger.info({ adopted: outcome.adopted }, 'order ids of lost calls found');
      this.changed(outcome.fileIds);
      return results.length;
    } catch (error) {
      if (!this.stopping) this.logger.warn({ ids: ids.length, err: describeError(error) }, 'getimeis for the order id search failed');
      return undefined;
    }
  }

  private changed(fileIds: readonly number[]): void {
    if (fileIds.length > 0) this.events.onFilesChanged(fileIds);
  }
}
