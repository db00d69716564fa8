import { AbortError } from 'p-retry';
import {
  ProviderUnknownOutcomeError,
  StoppingError,
  describeError,
  haltsSubmission,
  type ProviderError,
} from '../errors.js';
import type { Logger } from '../log.js';
import type { PlaceOrderResult } from '../provider/types.js';
import type { AttemptTicket, ReplyCounts } from '../store/batch-transitions.js';
import type { Store } from '../store/store.js';
import { sleep } from './abortable-sleep.js';
import { logFailedTry } from './call-failure-log.js';
import type { ReplyRecorder } from './reply-recorder.js';
import type { SendGuard } from './send-guard.js';
import type { SubmitterEvents } from './submitter.js';

/** What the recorder needs of the submitter it works for. */
export interface CallOutcomeContext {
  isStopping(): boolean;
  /** Aborted when the daemon stops: cuts the waits between store retries short. */
  signal: AbortSignal;
  /** New batches were planned (a list split into one-IMEI batches): look for work now. */
  wake(): void;
}

/**
 * Records what a placing call brought back, a reply or a failure, for every batch it carried,
 * and tells the daemon what follows from it. The Submitter decides what to send and when; this
 * is the other half of a call, and the only place a reply's order ids are written, so its
 * writes are retried until the database takes them (`persist`).
 */
export class CallOutcomeRecorder {
  constructor(
    private readonly store: Store,
    private readonly replies: ReplyRecorder,
    private readonly logger: Logger,
    private readonly events: SubmitterEvents,
    private readonly context: CallOutcomeContext,
    private readonly guard?: SendGuard,
  ) {}

  /**
   * Runs a store write until it succeeds: a reply's order ids exist nowhere else, so a failed
   * write (disk full) is retried while the daemon runs rather than dropped. If the daemon stops
   * first, recovery marks the rows unknown and resubmission confirms them.
   */
  async persist(what: string, write: () => void | Promise<void>): Promise<boolean> {
    for (let tries = 1; ; tries += 1) {
      try {
        await write();
        return true;
      } catch (error) {
        if (this.context.isStopping() && tries > 3) return false;
        this.events.onStoreWriteFailed(error);
        const delayMs = Math.min(1000 * 2 ** (tries - 1), 60_000);
        this.logger.error({ err: describeError(error), retryInMs: delayMs }, `cannot ${what} in the database; retrying`);
        await sleep(delayMs, this.context.isStopping() ? new AbortController().signal : this.context.signal);
      }
    }
  }

  /** Each batch of the call takes its own IMEIs from the reply (one group commit for all). */
  async recordReply(tickets: readonly AttemptTicket[], reply: PlaceOrderResult): Promise<void> {
    let counts: ReplyCounts[] = [];
    const recorded = await this.persist('record the reply', async () => {
      counts = await Promise.all(tickets.map((ticket) => this.replies.record(ticket, reply)));
    });
    if (!recorded || counts.length !== tickets.length) {
      this.logger.error({ batches: tickets.map((t) => t.batchId), placed: reply.placed }, 'stopping before the reply could be recorded');
      throw new AbortError(new StoppingError());
    }
    let unaccounted = 0;
    let split = false;
    tickets.forEach((ticket, i) => {
      const count = counts[i] as ReplyCounts;
      this.events.onReply(ticket.fileId);
      this.logger.debug({ batch: ticket.batchId, attempt: ticket.number, ...count }, 'placeorder replied');
      this.guard?.ordered(ticket.serviceId, count.ordered);
      if (count.recovering > 0 || count.settling > 0) this.events.onRecovering();
      if (count.learntOneImeiPerCall) {
        const sent = ticket.callSize ?? ticket.imeis.length;
        this.events.onOneImeiPerCall(ticket.serviceId, `a call with ${sent} IMEIs left ${count.unaccounted} of them unanswered`);
      }
      split ||= count.splitIntoSingles;
      if (!count.splitIntoSingles) unaccounted += count.unaccounted;
    });
    // IMEIs the reply left out wait in one-IMEI batches of their own: the pump sends them now.
    if (split) this.context.wake();
    if (unaccounted > 0) {
      throw new ProviderUnknownOutcomeError(`the reply did not account for ${unaccounted} IMEIs`, {
        incompleteReply: true,
      });
    }
  }

  /**
   * Records a failed call; throws for p-retry unless nothing is left to send (every row settled,
   * or unknown on a server where unknown rows are never resent): then another try would be empty.
   */
  async recordFailure(tickets: readonly AttemptTicket[], error: ProviderError): Promise<void> {
    const failure = {
      failureClass: error.failureClass,
      message: error.message,
      haltsSubmission: haltsSubmission(error),
      salvaged: error.details.salvaged ?? [],
      ...(error.details.partial ? { partial: error.details.partial } : {}),
    };
    const now = new Date().toISOString();
    let settling = 0;
    let rowsLeft = 0;
    const recorded = await this.persist('record the failed call', () => {
      settling = 0;
      rowsLeft = 0;
      for (const ticket of tickets) {
        const outcome = this.store.batches.recordCallFailure(ticket, failure, now);
        settling += outcome.settling;
        rowsLeft += outcome.rowsLeft;
      }
    });
    if (!recorded) throw new AbortError(new StoppingError());
    if (settling > 0) this.events.onRecovering();
    if (error.failureClass === 'permanent') throw new AbortError(error);
    if (rowsLeft === 0 && !error.details.rateLimited) {
      logFailedTry(this.logger, { batch: tickets[0]?.batchId ?? 0, attempt: tickets[0]?.number ?? 1, triesLeft: 0, error, rateLimited: false, stopping: this.context.isStopping() });
      return;
    }
    throw error;
  }
}
