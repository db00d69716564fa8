import type { BatchRecord } from '../store/types.js';
import type { BracketingCalls } from './bracketing-calls.js';
import type { CreditGate } from './credit-gate.js';

/** What the pump has taken on: batches in flight or waiting for their turn under the call budget. */
export interface PumpState {
  /** How many batches it has taken on. */
  inFlight: number;
  /** Whether it has taken this batch on (its rows may still be `queued` and its state `planned`). */
  isTaken(batchId: number): boolean;
}

/**
 * What may hold a planned batch back from the submitter's pump, beside the call budget: a file
 * the balance does not cover (CreditGate), and the order of calls that lets a lost one be settled
 * from the order ids (BracketingCalls). The submitter asks; this decides.
 */
export interface SendGuard {
  /** Whether the pump passes over `batch` for now; it is woken when that may change. */
  holds(batch: BatchRecord, pump: PumpState): boolean;
  /** Whether `batch` waits for something outside the daemon (credit): `isIdle` counts it as done for now. */
  waitsOutside(batch: BatchRecord): boolean;
  /** Just before `batch` is sent: rows may move out of it into a batch of their own, sent later. */
  prepare(batch: BatchRecord, pump: PumpState): void;
  /** Whether a batch must not join another batch's call. */
  setsAside(batchId: number, fileId: number): boolean;
  /** Orders a reply placed: the balance spent. */
  ordered(serviceId: string, orders: number): void;
}

/** The guard the daemon runs: credit first (a held file sends nothing), then the order of calls. */
export class SubmissionGuard implements SendGuard {
  constructor(
    private readonly credit: CreditGate,
    private readonly bracketing: BracketingCalls,
  ) {}

  holds(batch: BatchRecord, pump: PumpState): boolean {
    return this.credit.holds(batch.fileId) || this.bracketing.holds(batch, pump);
  }

  waitsOutside(batch: BatchRecord): boolean {
    return this.credit.waitsForCredit(batch.fileId);
  }

  prepare(batch: BatchRecord, pump: PumpState): void {
    this.bracketing.prepare(batch, pump);
  }

  setsAside(batchId: number, fileId: number): boolean {
    return this.bracketing.setsAside(batchId) || this.credit.holds(fileId);
  }

  ordered(serviceId: string, orders: number): void {
    this.credit.spent(serviceId, orders);
  }
}
