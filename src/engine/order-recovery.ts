import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProviderClient } from '../provider/types.js';
import type { Store } from '../store/store.js';
import type { CallBudget } from './call-budget.js';
import { IdSearch } from './id-search.js';

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
  /**
   * Whether result reads name the IMEI (`capabilities().resultsNameImei`). When they do not
   * (DHRU), ids are asked one per call with `lookUpOrders`, and the windows below are used.
   * Default: true.
   */
  resultsNameImei?: () => boolean;
  /** Asking one id per call: ids searched below the lowest id known for a fresh account's first call. Default 200. */
  lookUpWindow?: number;
  /** Asking one id per call: ids per step above the highest id known. Default 20. */
  lookUpProbeStep?: number;
  /** Asking one id per call: lookups in flight at once (within the call budget). Default 4. */
  lookUpsInParallel?: number;
  /** Rows per batch when rows shown not ordered are planned again (`submission.batchSize`). Default 100. */
  batchSize?: number;
}

export interface OrderRecoveryEvents {
  /** Rows of these files changed (orders adopted, searches given up): their reports are stale. */
  onFilesChanged(fileIds: readonly number[]): void;
  /** Rows the order ids showed were not ordered were planned again: they can be sent. */
  onRequeued?(fileIds: readonly number[]): void;
  /**
   * Whether no placing call can come without new work: nothing planned, queued or in flight,
   * no file being read. Settling gives up what only a later order could decide. Default: never.
   */
  placingIdle?(): boolean;
}

const DEFAULTS: Required<Omit<OrderRecoveryOptions, 'resultsNameImei'>> = {
  idsPerCall: 100,
  maxIdsPerRound: 5000,
  probeCalls: 3,
  firstDelayMs: 1000,
  maxDelayMs: 60_000,
  lookUpWindow: 200,
  lookUpProbeStep: 20,
  lookUpsInParallel: 4,
  batchSize: 100,
};

/**
 * Finds the order ids of rows whose call was lost but whose order the provider holds (it refused
 * their resubmission as a repeat: `recovering`). The provider's order ids ascend, so the orders
 * of a lost call lie above the highest id the account had given us when the call began; a round
 * asks for the ids above that which the store does not know, 100 a call (`getimeis`) or one per
 * call where result reads name no IMEI (DHRU `getimeiorder`), through the call budget, then a few
 * above the highest id known. Other accounts' ids in between answer nothing. What is found is
 * adopted by its row (see RecoveryTransitions); a row not found within the store's search
 * window becomes `Unconfirmed`.
 *
 * On a server that may charge a repeat (SettleTransitions), the same search settles `unknown`
 * rows, which are never resent: found, adopted; every id up to a ceiling read without their
 * IMEI, queued again; undecidable once no order can come any more, `Unknown`.
 *
 * Rounds repeat, backing off, while rows wait; never two at once.
 */
export class OrderRecovery {
  private readonly options: Required<Omit<OrderRecoveryOptions, 'resultsNameImei'>>;
  private readonly resultsNameImei: () => boolean;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private again = false;
  private delayMs: number;
  private stopping = false;
  /** The last settling round could not read the ids (the provider failed): `run-once` stops waiting. */
  private stalled = false;
  /** Rows still waited after the last round: new order ids or a pause in placing may settle them. */
  private waiting = false;

  constructor(
    private readonly store: Store,
    private readonly client: ProviderClient,
    options: OrderRecoveryOptions,
    private readonly logger: Logger,
    private readonly events: OrderRecoveryEvents,
    /** Every call to the provider goes through it, placing calls first. */
    private readonly budget: CallBudget,
  ) {
    const { resultsNameImei, ...rest } = options;
    this.options = { ...DEFAULTS, ...rest };
    this.resultsNameImei = resultsNameImei ?? (() => true);
    this.delayMs = this.options.firstDelayMs;
  }

  /** A round now (rows may wait from before a restart). */
  start(): void {
    this.wake();
  }

  /** Rows just started waiting, or new order ids may settle them: a round soon, from the shortest delay. */
  wake(): void {
    if (this.stopping) return;
    this.delayMs = this.options.firstDelayMs;
    if (this.round) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule(0);
  }

  /** New order ids arrived, or placing paused: a round soon, if rows wait for that (cheap when none do). */
  wakeIfWaiting(): void {
    // Only rows being settled wait for that; a recovering row's order exists, and its rounds back off as they did.
    if (this.waiting && !this.store.settling.resendsUnknown) this.wake();
  }

  /** Whether rows still wait for their order id (`run-once` waits for them). */
  isBusy(): boolean {
    return this.round !== undefined || this.timer !== undefined;
  }

  /** Whether rows being settled can still make progress now (`run-once` stops waiting when they cannot). */
  get isStalled(): boolean {
    return this.stalled;
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
      this.round = (this.store.settling.resendsUnknown ? this.runRound() : this.runSettleRound())
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
      waiting = this.store.recovery.recoveringRows() + this.store.settling.settlingRows();
    } catch (error) {
      this.logger.error({ err: describeError(error) }, 'cannot read the rows waiting for their order id');
      waiting = 1;
    }
    this.waiting = waiting > 0;
    if (waiting === 0 && !this.again) return;
    const delay = this.again ? 0 : this.delayMs;
    this.again = false;
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs);
    this.schedule(delay);
  }

  /** How ids are read this round: one per call where result reads name no IMEI. */
  private search(): IdSearch {
    const lookUpEachId = !this.resultsNameImei() && this.client.lookUpOrders !== undefined;
    return new IdSearch(
      this.store,
      this.client,
      {
        idsPerCall: lookUpEachId ? this.options.lookUpProbeStep : this.options.idsPerCall,
        lookUpEachId,
        lookUpsInParallel: this.options.lookUpsInParallel,
      },
      this.logger,
      this.budget,
      (outcome) => this.changed(outcome.fileIds),
      () => this.stopping,
    );
  }

  /** Below the lowest id known, for calls made before any id was known: smaller where each id is a call. */
  private freshWindow(): number {
    return this.resultsNameImei() ? this.options.maxIdsPerRound : this.options.lookUpWindow;
  }

  private async runRound(): Promise<void> {
    const recovery = this.store.recovery;
    this.changed(recovery.adoptFound(new Date().toISOString()).fileIds);
    const search = this.search();
    const work = recovery.work(this.freshWindow());
    if (work.searchAfter === null) return;
    const highest = this.store.accounts.highestOrderId();
    const from = Math.max(work.searchAfter, recovery.scannedTo()) + 1;
    const asked = await search.askRange(from, highest, this.options.maxIdsPerRound, true);
    if (asked !== undefined) await search.probeAbove(highest, this.options.probeCalls);
    const now = new Date().toISOString();
    this.changed(recovery.adoptFound(now).fileIds);
    const expired = recovery.giveUpExpired(now);
    if (expired.fileIds.length > 0) {
      this.logger.warn({ files: expired.fileIds.length }, 'orders the provider holds were not found by their ids: rows Unconfirmed, see NOTE');
    }
    this.changed(expired.fileIds);
  }

  /**
   * A round over the rows being settled (a server that may charge a repeat): read every unknown
   * id from the lowest floor up to the highest id known, adopt what carries a row's IMEI, queue
   * again the rows every id up to their ceiling shows were not ordered. When no order can come
   * any more, look a little above the highest id (a lost last call), then give up the rest.
   */
  private async runSettleRound(): Promise<void> {
    const { recovery, settling, accounts } = this.store;
    let now = new Date().toISOString();
    this.changed(recovery.adoptFound(now).fileIds);
    this.report(settling.giveUpUndecided(now, true));
    const search = this.search();
    const work = settling.work(this.freshWindow(), () => recovery.lowestKnownOrderId());
    if (work.searchAfter === null) {
      this.stalled = false;
      return;
    }
    const highest = accounts.highestOrderId();
    const from = Math.max(work.searchAfter, recovery.scannedTo()) + 1;
    const asked = await search.askRange(from, highest, this.options.maxIdsPerRound, true);
    this.stalled = asked === undefined;
    if (asked === undefined || this.stopping) return;
    now = new Date().toISOString();
    this.changed(recovery.adoptFound(now).fileIds);
    const decided = settling.decide(recovery.scannedTo(), this.options.batchSize, now);
    this.report(decided);
    // Ids below `from` are read already, or below every floor.
    const readAll = Math.max(recovery.scannedTo(), from - 1) >= highest;
    if (!readAll || decided.requeued > 0 || !this.nothingMoreComes(highest)) return;
    // Nothing more will be placed: a lost last call's orders can only lie just above the highest id.
    // Read on while steps find orders, as far as the rows waiting could need.
    const steps = Math.ceil(work.withoutCeiling / this.options.lookUpProbeStep) + this.options.probeCalls;
    if (work.withoutCeiling > 0) await search.probeAbove(highest, steps);
    if (this.stopping || !this.nothingMoreComes(highest)) return;
    now = new Date().toISOString();
    this.changed(recovery.adoptFound(now).fileIds);
    this.report(settling.giveUpUndecided(now, false));
  }

  /**
   * Whether nothing can settle the rows any more: no call will place an order, and no order id
   * arrived since the round read up to `highest` (else the next round reads it first).
   */
  private nothingMoreComes(highest: number): boolean {
    if (this.store.accounts.highestOrderId() > highest) {
      this.again = true;
      return false;
    }
    return this.events.placingIdle?.() ?? false;
  }

  private report(outcome: { requeued: number; givenUp: number; fileIds: number[] }): void {
    if (outcome.requeued > 0) {
      this.logger.info({ rows: outcome.requeued }, 'the order ids show these rows of lost calls were not ordered: sending them again');
      this.events.onRequeued?.(outcome.fileIds);
    }
    if (outcome.givenUp > 0) {
      this.logger.warn({ rows: outcome.givenUp }, 'whether these rows of lost calls were ordered cannot be established: rows Unknown, not sent again, see NOTE');
    }
    this.changed(outcome.fileIds);
  }

  private changed(fileIds: readonly number[]): void {
    if (fileIds.length > 0) this.events.onFilesChanged(fileIds);
  }
}
