import type { Store } from '../store/store.js';
import type { BatchRecord } from '../store/types.js';
import type { PumpState } from './send-guard.js';

export interface BracketingOptions {
  /**
   * Whether calls are bracketed: only where unknown outcomes are settled from the order ids (a
   * server that may charge a repeat, SettleTransitions), never where they are resent.
   */
  active: () => boolean;
  /** Whether input files are being read: more batches may come, so none is the last yet. */
  filesBeingRead: () => boolean;
  /** Wakes the submitter's pump when a wait that ends by the clock is over. */
  wake: () => void;
  /** The clock. Default `Date.now`. */
  now?: () => number;
}

/**
 * Orders the calls so that a lost one can always be settled from the order ids (issue 19). Its
 * orders lie above the highest id known when it began (a floor) and below any id issued to a
 * call begun once it was certainly over (a ceiling); without both its rows cannot be shown
 * "not ordered", and on a server that may charge a repeat they are never simply resent. So:
 *
 * - **the first order of an account goes alone**: while no order id is known, one call at a
 *   time, so every later call has a floor (the first one's rows are the only ones without);
 * - **the last IMEI of a run goes alone, last**: when the pump takes the last planned batch, its
 *   last row is set aside in a batch of its own, sent once every other call has ended and every
 *   lost call is certainly over. Its order id is the ceiling of every earlier call, and if it is
 *   lost itself, one row is at stake, not a hundred. While lost calls already wait for a ceiling,
 *   the last two rows go so, one after the other: the second bounds the first should it be lost.
 *
 * It costs one call and one round trip per run (two after a lost call), and one round trip on an
 * account's first file.
 */
export class BracketingCalls {
  /** Batches of one IMEI set aside to go last, in the order they go. */
  private reserves: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly options: BracketingOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Whether the pump passes over `batch` for now. */
  holds(batch: BatchRecord, pump: PumpState): boolean {
    if (!this.options.active()) return false;
    if (!this.store.accounts.hasOrders()) return pump.inFlight > 0;
    const reserved = this.reserves.indexOf(batch.id);
    if (reserved > 0) return true;
    if (!this.isLast(batch, pump)) {
      // New work came: what was set aside is not last any more and goes as any batch.
      if (reserved === 0) this.reserves = [];
      return false;
    }
    if (reserved < 0 && this.store.pacing.queuedRows(batch.id) > 1) return false;
    return pump.inFlight > 0 || this.waitForLostCalls();
  }

  /** Just before the pump sends `batch`: the last batch of a run gives up its last rows, which go alone after. */
  prepare(batch: BatchRecord, pump: PumpState): void {
    if (this.reserves[0] === batch.id) this.reserves.shift();
    if (!this.options.active() || !this.store.accounts.hasOrders() || !this.isLast(batch, pump)) return;
    const queued = this.store.pacing.queuedRows(batch.id);
    if (queued <= 1) return;
    const aside = queued > 2 && this.store.settling.lastCallOverAt() !== null ? 2 : 1;
    const now = new Date(this.now()).toISOString();
    for (let i = 0; i < aside; i += 1) {
      const reserve = this.store.pacing.setAsideLastRow(batch.id, now);
      if (reserve !== undefined) this.reserves.push(reserve);
    }
  }

  /** Whether this batch must not join another batch's call (an IMEI set aside to go last). */
  setsAside(batchId: number): boolean {
    return this.reserves.includes(batchId);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** No file is being read and every other planned batch is taken on by the pump, or set aside to go last. */
  private isLast(batch: BatchRecord, pump: PumpState): boolean {
    if (this.options.filesBeingRead()) return false;
    // Most batches have a later one waiting: one indexed look settles them.
    const after = this.store.pacing.plannedAfter(batch.id);
    if (after !== undefined && !pump.isTaken(after) && !this.reserves.includes(after)) return false;
    const others = this.store.pacing.plannedBesides(batch.id, pump.inFlight + this.reserves.length + 1);
    return others.every((id) => pump.isTaken(id) || this.reserves.includes(id));
  }

  /** Whether a lost call may still be at work at the provider: then the last IMEI waits until it is over. */
  private waitForLostCalls(): boolean {
    const over = this.store.settling.lastCallOverAt();
    const waitMs = over === null ? 0 : Date.parse(over) - this.now();
    if (waitMs <= 0) return false;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.options.wake();
      }, waitMs + 5);
      this.timer.unref();
    }
    return true;
  }
}
