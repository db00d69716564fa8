import pRetry, { AbortError } from 'p-retry';
import {
  ProviderAuthError,
  ProviderError,
  ProviderNoCreditError,
  ProviderUnknownOutcomeError,
  StoppingError,
  StoreWriteError,
  describeError,
} from '../errors.js';
import type { Logger } from '../log.js';
import type { PlaceOrderResult, ProviderClient } from '../provider/types.js';
import type { AttemptTicket } from '../store/batch-transitions.js';
import type { Store } from '../store/store.js';
import type { BatchRecord } from '../store/types.js';
import { sleep } from './abortable-sleep.js';
import { logBatchGaveUp, logFailedTry } from './call-failure-log.js';
import { AttemptStarter } from './attempt-starter.js';
import { CallGroups } from './call-groups.js';
import { outcomeOf, type CallBudget, type CallOutcome as BudgetOutcome } from './call-budget.js';
import { CallOutcomeRecorder } from './call-outcomes.js';
import { ReplyRecorder } from './reply-recorder.js';
import type { PumpState, SendGuard } from './send-guard.js';

export interface SubmitterOptions {
  /** Batches taken on at once, in flight or waiting for their turn (twice `submission.concurrency`). */
  concurrency: number;
  /** Tries of one batch before its rows are Failed (`submission.maxAttempts`). */
  maxAttempts: number;
  /** First back-off in ms, doubled each try, with jitter (`submission.retryBaseMs`). */
  retryBaseMs: number;
  /** When rows that used up their tries are next tried: the retry schedule's next run. */
  nextRetryAt: () => string;
  /** IMEIs one call may carry (`submission.batchSize`): short batches of one service share calls up to it. */
  batchSize: number;
  /** Whether input files are being read now (a short batch then waits briefly for the next file's rows). */
  filesBeingRead: () => boolean;
}

export interface SubmitterEvents {
  /** Every batch of this file has settled: it can be reported. */
  onFileSettled(fileId: number): void;
  /** Bad credentials: submission stops until the configuration changes. */
  onHalted(message: string): void;
  /** A batch used up its tries without a reply (the provider is down or failing). */
  onBatchGaveUp(fileId: number, message: string): void;
  /** A call was answered (and its rows recorded): the provider is reachable. */
  onReply(fileId: number): void;
  /** Rows whose lost call the provider confirmed (it refused their resubmission): look up their order ids. */
  onRecovering(): void;
  /** The server answered a list for only some of its IMEIs: from now on this service goes one IMEI per call. */
  onOneImeiPerCall(serviceId: string, reason: string): void;
  /** The database refused a write that guards an order (disk full, read-only): staff must hear of it without it. */
  onStoreWriteFailed(error: unknown): void;
  /** The provider refused for lack of credit: this file's rows wait (untouched, not Failed) until the balance covers them. */
  onNoCredit?(fileId: number, message: string): void;
}

/** A call that was made, for one batch or several (filled across files): its reply, or the failure to record. */
type CallOutcome =
  | { tickets: AttemptTicket[]; result: PlaceOrderResult; error: undefined }
  | { tickets: AttemptTicket[]; result: undefined; error: ProviderError };

/** How long a batch waits after the database refused to record its attempt. */
const STORE_FAILURE_PAUSE_MS = 5_000;

/** Rate-limit replies tolerated for one batch before they start to count as tries. */
const MAX_FREE_RATE_LIMITS = 30;

function isRateLimited(error: unknown): error is ProviderError {
  return error instanceof ProviderError && error.details.rateLimited === true;
}

/** Any thrown value as a provider failure; an unexplained one may have placed orders. */
function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderUnknownOutcomeError(`unexpected failure during the call: ${describeError(error)}`);
}

/**
 * Sends planned batches to the provider. A pump takes the oldest planned batch from the store
 * whenever a slot is free; the call budget (shared with every other call to the provider) says
 * when each call may leave; p-retry retries a batch with back-off. Each try records its attempt before the call and its outcome after it, so the
 * store always knows which rows may have been ordered.
 */
export class Submitter {
  private readonly outcomes: CallOutcomeRecorder;
  private readonly starts: AttemptStarter;
  private readonly groups: CallGroups;
  private readonly active = new Map<number, Promise<void>>();
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  private pumpDone: Promise<void> | undefined;
  private stopping = false;
  private halted = false;

  constructor(
    private readonly store: Store,
    private readonly client: ProviderClient,
    private readonly options: SubmitterOptions,
    private readonly logger: Logger,
    private readonly events: SubmitterEvents,
    /** Every call to the provider goes through it: placing calls first. */
    private readonly budget: CallBudget,
    /** Batches held back for now (a file short of credit, the last IMEI of a run): default none. */
    private readonly guard?: SendGuard,
  ) {
    this.outcomes = new CallOutcomeRecorder(store, new ReplyRecorder(store), logger, events, {
      isStopping: () => this.stopping,
      signal: this.abort.signal,
      wake: () => this.wake(),
    }, guard);
    this.starts = new AttemptStarter(store);
    this.groups = new CallGroups(store, { batchSize: options.batchSize, filesBeingRead: options.filesBeingRead });
  }

  start(): void {
    this.pumpDone ??= this.pump();
  }

  /** New batches were planned: look for work now. */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  get isHalted(): boolean {
    return this.halted;
  }

  /** Nothing planned and nothing in flight (or halted, or all that is planned waits for credit): `run-once` waits for this. */
  isIdle(): boolean {
    if (this.active.size > 0) return false;
    if (this.halted) return true;
    for (let batch = this.store.batches.nextPlanned(0); batch; batch = this.store.batches.nextPlanned(batch.id)) {
      if (!this.guard?.waitsOutside(batch)) return false;
    }
    return true;
  }

  /** Stops all ordering (the provider refused the credentials before any order): rows wait untouched. */
  halt(message: string): void {
    if (this.halted) return;
    this.halted = true;
    this.logger.error({ err: message }, 'provider refused the credentials: submission stopped');
    this.events.onHalted(message);
  }

  /** No new calls; waits for those in flight (each bounded by the provider timeout) to be recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort(new StoppingError());
    this.wake();
    await this.pumpDone;
    await Promise.allSettled([...this.active.values()]);
  }

  private async pump(): Promise<void> {
    let cursor = 0;
    while (!this.stopping) {
      const batch = this.halted || this.active.size >= this.options.concurrency * 2 ? undefined : this.nextBatch(cursor);
      if (batch) {
        cursor = batch.id;
        this.guard?.prepare(batch, this.pumpState());
        const group = this.groups.groupFor(batch, (id, fileId) => this.active.has(id) || (this.guard?.setsAside(id, fileId) ?? false));
        if ('waitMs' in group) {
          setTimeout(() => this.wake(), group.waitMs).unref();
          continue;
        }
        const task = this.submitGroup(group).finally(() => {
          for (const member of group) this.active.delete(member.id);
          this.wake();
        });
        for (const member of group) this.active.set(member.id, task);
        continue;
      }
      if (cursor !== 0 && !this.halted && this.active.size < this.options.concurrency * 2) {
        cursor = 0; // one more pass from the start: older batches may have been planned again
        if (this.nextBatch(0)) continue;
      }
      // A batch passed over while it lingers needs a wake-up when it may go. The timer set when it
      // began lingering can fire a little early by the wall clock (libuv times it from the loop's
      // cached time), and the pass it woke then found it still lingering: with no other wake-up
      // to come, the pump slept for good (seen under load: run-once never ended).
      const lingerMs = this.groups.lingerEndsIn();
      if (lingerMs !== undefined) setTimeout(() => this.wake(), lingerMs + 1).unref();
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
    }
  }

  private pumpState(): PumpState {
    return { inFlight: this.active.size, isTaken: (batchId) => this.active.has(batchId) };
  }

  private nextBatch(afterId: number): BatchRecord | undefined {
    let cursor = afterId;
    for (;;) {
      const batch = this.store.batches.nextPlanned(cursor);
      if (!batch) return undefined;
      const passed = this.active.has(batch.id) || this.groups.isLingering(batch.id) || (this.guard?.holds(batch, this.pumpState()) ?? false);
      if (!passed) return batch;
      cursor = batch.id;
    }
  }

  /** Sends a batch, or several in one call, with retries; settles each and checks each file after. */
  private async submitGroup(group: readonly BatchRecord[]): Promise<void> {
    const batch = group[0] as BatchRecord;
    let rateLimits = 0;
    let tries = 0;
    try {
      await pRetry(() => this.attempt(group), {
        // p-retry stops when its budget is spent, even on a failure that consumes none: the budget
        // leaves room for the free 429s, and `shouldRetry` counts the real tries.
        retries: this.options.maxAttempts - 1 + MAX_FREE_RATE_LIMITS,
        minTimeout: this.options.retryBaseMs,
        factor: 2,
        randomize: true,
        signal: this.abort.signal,
        // A 429 is the provider asking us to slow down, not a failed try of the batch.
        shouldConsumeRetry: ({ error }) => {
          const free = isRateLimited(error) && ++rateLimits <= MAX_FREE_RATE_LIMITS;
          if (!free) tries += 1;
          return !free;
        },
        shouldRetry: () => tries < this.options.maxAttempts,
        onFailedAttempt: ({ error, attemptNumber }) => {
          // Called before `shouldConsumeRetry` counts this try; p-retry's own `retriesLeft` counts the free 429s too.
          const triesLeft = isRateLimited(error) ? undefined : Math.max(0, this.options.maxAttempts - tries - 1);
          logFailedTry(this.logger, { batch: batch.id, attempt: attemptNumber, triesLeft, error, rateLimited: isRateLimited(error), stopping: this.stopping });
        },
      });
    } catch (error) {
      if (error instanceof StoreWriteError) {
        this.events.onStoreWriteFailed(error.cause ?? error);
        // The database refused a write (disk full?): the batch keeps its state; pause before it is taken again.
        this.logger.error({ batch: batch.id, err: error.message }, 'cannot record submission; pausing this batch');
        await sleep(STORE_FAILURE_PAUSE_MS, this.abort.signal);
        return;
      }
      for (const member of group) await this.outcomes.persist('settle the batch', () => this.settleAfterFailure(member, error));
    }
    for (const fileId of new Set(group.map((member) => member.fileId))) {
      await this.outcomes.persist('check the file', () => {
        if (this.store.isFileSettled(fileId)) this.events.onFileSettled(fileId);
      });
    }
  }

  private settleAfterFailure(batch: BatchRecord, error: unknown): void {
    if (this.stopping) return; // rows stay queued or unknown; the next start resumes them
    if (error instanceof ProviderAuthError) {
      this.halt(error.message);
      return;
    }
    if (error instanceof ProviderNoCreditError) {
      // Nothing was ordered for want of credit: the file's rows wait, not Failed, until the balance covers them.
      this.logger.error({ batch: batch.id, err: error.message }, 'provider refused for lack of credit: this file waits for the balance');
      this.events.onNoCredit?.(batch.fileId, error.message);
      return;
    }
    if (error instanceof ProviderError && error.failureClass === 'permanent') return; // rows already failed
    const message = describeError(error);
    this.store.batches.settleBatch(batch.id, message, this.options.nextRetryAt(), new Date().toISOString());
    logBatchGaveUp(this.logger, batch.id, message);
    // The provider answered (if incompletely): not a sign that it is unreachable.
    const answered = error instanceof ProviderError && error.details.incompleteReply === true;
    if (!answered) this.events.onBatchGaveUp(batch.fileId, message);
  }

  /**
   * One try: record it and call under a permit of the budget, then record what came back after
   * releasing it. The permit is a call in flight; releasing it as soon as the reply is in lets the next batch
   * leave while this one's rows are written, so the daemon's own work hides behind the
   * provider's latency instead of adding to it. The `active` cap of the pump still bounds how
   * many replies wait to be recorded.
   */
  private async attempt(group: readonly BatchRecord[]): Promise<void> {
    const call = await this.call(group);
    if (call === undefined) return;
    if (call.error) await this.outcomes.recordFailure(call.tickets, call.error);
    else await this.outcomes.recordReply(call.tickets, call.result);
  }

  /** Records the attempt, then calls; the store knows about the call before it leaves. */
  private async call(group: readonly BatchRecord[]): Promise<CallOutcome | undefined> {
    const permit = await this.budget.acquire('place', this.abort.signal).catch(() => {
      throw new AbortError(new StoppingError());
    });
    // Released here, not after recording: the next call may start as soon as the reply is in.
    let outcome: BudgetOutcome = { kind: 'unused' };
    try {
      if (this.stopping) throw new AbortError(new StoppingError());
      if (this.halted) throw new AbortError(new ProviderAuthError('submission is halted'));
      // Held meanwhile (its file ran short of credit): nothing is sent, the rows wait.
      if (group.some((member) => this.guard?.waitsOutside(member))) return undefined;
      let tickets: AttemptTicket[];
      try {
        // Begun together: the attempt starter commits them in one transaction.
        const begun = await Promise.all(group.map((member) => this.starts.begin(member.id)));
        tickets = begun.filter((ticket): ticket is AttemptTicket => ticket !== undefined);
      } catch (error) {
        // Nothing was sent: without its attempt on disk, the call must not leave.
        throw new AbortError(new StoreWriteError(describeError(error), error));
      }
      const first = tickets[0];
      if (!first) return undefined;
      const imeis = tickets.flatMap((ticket) => ticket.imeis);
      if (tickets.length > 1) for (const ticket of tickets) ticket.callSize = imeis.length;
      try {
        const result = await this.client.placeOrder(first.serviceId, imeis);
        outcome = { kind: 'answered' };
        return { tickets, result, error: undefined };
      } catch (error) {
        const failure = asProviderError(error);
        outcome = outcomeOf(failure);
        return { tickets, result: undefined, error: failure };
      }
    } finally {
      permit.release(outcome);
    }
  }
}
