import cron, { type ScheduledTask } from 'node-cron';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RequeueOutcome } from '../store/retry-transitions.js';
import type { Store } from '../store/store.js';

export interface RetryJobOptions {
  /** Cron, 5 or 6 fields (`retry.schedule`); default hourly. */
  schedule: string;
  /** After this a Failed row is given up (`retry.maxAgeHours`). */
  maxAgeHours: number;
  batchSize: number;
  /**
   * How often rows whose call outcome is unknown are checked for a due resubmission: they are
   * resolved within seconds, not on the schedule (their own back-off is in the store). Default 5000.
   */
  recheckUnknownMs?: number;
}

export interface RetryJobEvents {
  /** Rows were planned again: the submitter has work. */
  onRequeued(outcome: RequeueOutcome): void;
  /** A run of the schedule (or `retry`), not the frequent check of unknown rows: files waiting for credit are checked. */
  onScheduledRun?(): void;
}

/** The key `retry` on the command line writes to ask a running daemon to retry now. */
export const RETRY_REQUEST_KEY = 'retryRequestedAt';

/**
 * Resubmits Failed rows (and resubmits unknown ones to confirm them) on a cron schedule. Cron
 * does not catch up runs missed while the daemon was down, so the schedule only triggers a
 * check of each row's `next_attempt_at`, and `start` runs that check at once.
 */
export class RetryJob {
  private task: ScheduledTask | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private running: Promise<RequeueOutcome> | undefined;
  private lastRequest: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: RetryJobOptions,
    private readonly logger: Logger,
    private readonly events: RetryJobEvents,
  ) {}

  start(): void {
    if (this.task) return;
    this.lastRequest = this.store.getMeta(RETRY_REQUEST_KEY);
    this.task = cron.schedule(this.options.schedule, () => this.runNow(false), { noOverlap: true, name: 'retry' });
    this.recheckTimer = setInterval(() => void this.queueRun(false, true), this.options.recheckUnknownMs ?? 5000);
    this.recheckTimer.unref();
    void this.runNow(false);
  }

  /** When the schedule next checks; failed rows wait for it. */
  nextRunAt(): string {
    // A stopped task has no next run; an hour is the default schedule's answer.
    return (this.task?.getNextRun() ?? new Date(Date.now() + 3_600_000)).toISOString();
  }

  /** Runs the retry now; `force` takes every waiting row, not just the due ones. Runs queue, never overlap. */
  runNow(force: boolean): Promise<RequeueOutcome> {
    return this.queueRun(force, false);
  }

  private queueRun(force: boolean, unknownOnly: boolean): Promise<RequeueOutcome> {
    const run = (this.running ?? Promise.resolve()).then(() => this.requeue(force, unknownOnly));
    this.running = run;
    void run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private requeue(force: boolean, unknownOnly: boolean): RequeueOutcome {
    if (!unknownOnly) this.events.onScheduledRun?.();
    try {
      const outcome = this.store.retries.requeueDue(
        new Date().toISOString(),
        this.options.maxAgeHours,
        this.options.batchSize,
        force,
        unknownOnly,
      );
      if (outcome.requeued > 0 || outcome.givenUp > 0) {
        this.logger.info(
          { requeued: outcome.requeued, givenUp: outcome.givenUp, batches: outcome.batches, files: outcome.fileIds.length },
          unknownOnly ? 'rows whose call outcome is unknown resubmitted to check them' : 'retry: rows planned again',
        );
        this.events.onRequeued(outcome);
      } else if (!unknownOnly) {
        this.events.onRequeued(outcome);
      }
      return outcome;
    } catch (error) {
      this.logger.error({ err: describeError(error) }, 'retry run failed; the next run tries again');
      return { requeued: 0, givenUp: 0, batches: 0, fileIds: [] };
    }
  }

  /** Picks up a `retry` command given while this daemon runs (it cannot take our lock). */
  checkForRequest(): void {
    const request = this.store.getMeta(RETRY_REQUEST_KEY);
    if (request !== undefined && request !== this.lastRequest) {
      this.lastRequest = request;
      void this.runNow(true);
    }
  }

  async stop(): Promise<void> {
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    this.recheckTimer = undefined;
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
  }
}
