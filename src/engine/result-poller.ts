import pLimit, { type LimitFunction } from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { ProviderAuthError, ProviderError, StoppingError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { MAX_IDS_PER_RESULT_CALL } from '../provider/capabilities.js';
import type { PollIntervals } from '../store/order-transitions.js';
import type { OrderResult, ProviderClient } from '../provider/types.js';
import type { OpenOrder, OpenOrdersCursor } from '../store/order-transitions.js';
import type { Store } from '../store/store.js';
import { sleep } from './abortable-sleep.js';
import type { CallBudget } from './call-budget.js';
import { PollSchedule } from './poll-schedule.js';

export interface ResultPollerOptions {
  /**
   * An order's first poll interval, and its first delay when its service's delivery time is
   * unknown (`results.pollIntervalSeconds`, default 60); each poll of the same order doubles it.
   */
  pollIntervalSeconds: number;
  /** The longest gap between two polls of one order (`results.maxPollIntervalMinutes`, default 60). */
  maxPollIntervalMinutes?: number;
  /** Orders placed longer ago than this are given up, not asked about (`results.maxAgeHours`, default 168). */
  maxAgeHours: number;
  /** `getimeis` calls in flight at most; the daemon uses min(4, `submission.concurrency`). */
  concurrency: number;
  /** First back-off in ms, doubled each try, with jitter (`submission.retryBaseMs`, default 1000). */
  retryBaseMs: number;
  /** Tries of one chunk before it waits for the next round (`submission.maxAttempts`, default 3). */
  maxAttempts: number;
  /** The clock; tests move it to pass an hour of polling in a moment. Default `Date.now`. */
  now?: () => number;
  /**
   * Order ids one result call takes (`capabilities().idsPerResultCall`: 100, or 1 for a DHRU
   * server without bulk reads), asked each round since a server's bulk support may be learnt
   * meanwhile. Default 100.
   */
  idsPerCall?: () => number;
}

export interface ResultPollerEvents {
  /** Rows of these files changed (results arrived, orders given up); their reports are marked stale. */
  onFilesChanged(fileIds: readonly number[]): void;
  /** The provider refused the credentials; the round stopped (the next one tries again). */
  onAuthFailed?(message: string): void;
}

/** What one round did, for tests and the log. */
export interface PollRoundSummary {
  /** Orders asked about. */
  asked: number;
  /** `getimeis` calls that answered. */
  calls: number;
  /** Orders whose status or result changed. */
  changed: number;
  /** Orders that became Completed or Rejected. */
  finalised: number;
  /** Orders given up for age. */
  givenUp: number;
  /** Chunks that failed after all their tries (their orders wait for the next round). */
  failedChunks: number;
  /** The round stopped early on bad credentials. */
  authFailed: boolean;
}

function isRateLimited(error: unknown): boolean {
  return error instanceof ProviderError && error.details.rateLimited === true;
}

/** Rate-limit replies tolerated for one chunk before they start to count as tries. */
const MAX_FREE_RATE_LIMITS = 10;
/** setInterval's limit: a longer delay fires at once, every millisecond. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Chunks taken from the store per page, per slot: enough to keep every slot busy. */
const CHUNKS_PER_SLOT = 4;
/**
 * How often the poller looks for due orders (ms): a look is one query on the `orders_due`
 * index, and a result that is due should not wait long for it.
 */
const TICK_MS = 1_000;
/** New orders given their first poll time per query. */
const SCHEDULE_PAGE = 5_000;

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function emptySummary(): PollRoundSummary {
  return { asked: 0, calls: 0, changed: 0, finalised: 0, givenUp: 0, failedChunks: 0, authFailed: false };
}

/**
 * Asks the provider for the results of open orders (`getimeis`) and records them. Each order
 * has its own next poll time (PollSchedule): first when its result can be expected, then backing
 * off; every few seconds a round asks the orders that are due, in chunks of up to 100 ids, a few
 * chunks in parallel, each call through the shared call budget (placing goes first). A round
 * first gives up orders past the age limit. `getimeis` only reads, so every failure may be
 * retried except bad credentials, which end the round; a chunk that keeps failing waits an
 * interval. Never two rounds at once.
 */
export class ResultPoller {
  private readonly limit: LimitFunction;
  private readonly schedule: PollSchedule;
  private readonly intervals: PollIntervals;
  private lastGiveUpAt = 0;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<PollRoundSummary> | undefined;
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly client: ProviderClient,
    private readonly options: ResultPollerOptions,
    private readonly logger: Logger,
    private readonly events: ResultPollerEvents,
    /** Every call to the provider goes through it, placing calls first. */
    private readonly budget: CallBudget,
  ) {
    this.limit = pLimit(Math.max(1, options.concurrency));
    this.schedule = new PollSchedule({
      pollIntervalSeconds: options.pollIntervalSeconds,
      maxPollIntervalMinutes: options.maxPollIntervalMinutes ?? 60,
    });
    this.intervals = { baseSeconds: options.pollIntervalSeconds, maxSeconds: this.schedule.maxIntervalSeconds() };
  }

  /** Polls the due orders now, then every few seconds until `stop`. */
  start(): void {
    if (this.timer || this.stopping) return;
    const tickMs = Math.min(this.options.pollIntervalSeconds * 1000, TICK_MS, MAX_TIMER_MS);
    this.timer = setInterval(() => {
      if (!this.round) void this.startRound(true);
    }, tickMs);
    void this.startRound(true);
  }

  /** A round over the orders that are due now (what the timer runs), after any round in flight. */
  async pollDue(): Promise<PollRoundSummary> {
    if (this.round) await this.round;
    return this.startRound(true);
  }

  /**
   * A round over every open order, due or not, that starts after this call: waits for a round in
   * flight, then runs another (or joins one that another caller started meanwhile). For tests.
   */
  async pollNow(): Promise<PollRoundSummary> {
    if (this.round) await this.round;
    return this.startRound(false);
  }

  /** No new round or call; waits for the round in flight (its calls are bounded by the timeout). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort(new StoppingError());
    await this.round;
  }

  private startRound(dueOnly: boolean): Promise<PollRoundSummary> {
    if (this.stopping) return Promise.resolve(emptySummary());
    this.round ??= this.runRound(dueOnly)
      .catch((error: unknown): PollRoundSummary => {
        this.logger.error({ err: describeError(error) }, 'result poll round failed; the next one tries again');
        return emptySummary();
      })
      .finally(() => {
        this.round = undefined;
      });
    return this.round;
  }

  private async runRound(dueOnly: boolean): Promise<PollRoundSummary> {
    const summary = emptySummary();
    const startedAt = this.nowIso();
    this.scheduleNewOrders();
    // Giving up walks every open order: once a poll interval is often enough for an age limit in hours.
    const giveUpDue = !dueOnly || Date.parse(startedAt) - this.lastGiveUpAt >= this.options.pollIntervalSeconds * 1000;
    const givenUp = giveUpDue
      ? this.store.orders.giveUpStaleOrders(this.options.maxAgeHours, startedAt)
      : { orderIds: [], fileIds: [] };
    if (giveUpDue) this.lastGiveUpAt = Date.parse(startedAt);
    summary.givenUp = givenUp.orderIds.length;
    if (givenUp.orderIds.length > 0) {
      this.logger.warn(
        { orders: givenUp.orderIds.length, maxAgeHours: this.options.maxAgeHours },
        'orders without a final result were given up: check them on the provider site',
      );
      this.events.onFilesChanged(givenUp.fileIds);
    }
    const placedSince = new Date(Date.parse(startedAt) - this.options.maxAgeHours * 3_600_000).toISOString();
    const idsPerCall = Math.max(1, Math.min(MAX_IDS_PER_RESULT_CALL, this.options.idsPerCall?.() ?? MAX_IDS_PER_RESULT_CALL));
    const pageSize = MAX_IDS_PER_RESULT_CALL * Math.max(1, this.options.concurrency) * CHUNKS_PER_SLOT;
    let cursor: OpenOrdersCursor | undefined;
    while (!this.stopping && !summary.authFailed) {
      const page = dueOnly
        ? this.store.polls.due({ now: startedAt, placedSince, polledBefore: startedAt, limit: pageSize })
        : this.store.orders.openOrders({ limit: pageSize, placedSince, polledBefore: startedAt, after: cursor });
      if (page.length === 0) break;
      const last = page[page.length - 1] as OpenOrder;
      cursor = { seq: last.seq };
      const chunks = chunksOf(page.map((order) => order.orderId), idsPerCall);
      await Promise.all(chunks.map((ids) => this.limit(() => this.pollChunk(ids, summary))));
      if (page.length < pageSize) break;
    }
    // Rounds that only found orders still open are routine: seen at debug level only.
    const level = summary.finalised > 0 || summary.givenUp > 0 ? 'info' : 'debug';
    if (summary.asked > 0 || summary.givenUp > 0) this.logger[level]({ ...summary }, 'result poll round done');
    return summary;
  }

  private nowIso(): string {
    return new Date((this.options.now ?? Date.now)()).toISOString();
  }

  /** Orders placed (or adopted) since the last round get their first poll time, from their service's delivery time. */
  private scheduleNewOrders(): void {
    for (;;) {
      const fresh = this.store.polls.unscheduled(SCHEDULE_PAGE);
      if (fresh.length === 0) return;
      this.store.polls.scheduleFirstPolls(
        fresh.map((order) => ({
          orderId: order.orderId,
          nextPollAt: new Date(Date.parse(order.placedAt) + this.schedule.firstDelaySeconds(order.timeTaken ?? undefined) * 1000).toISOString(),
        })),
      );
      if (fresh.length < SCHEDULE_PAGE) return;
    }
  }

  /** One chunk: ask (with retries), record what came back, date the ids the reply left out. */
  private async pollChunk(orderIds: readonly string[], summary: PollRoundSummary): Promise<void> {
    if (this.stopping || summary.authFailed) return;
    summary.asked += orderIds.length;
    let results: OrderResult[];
    try {
      results = await this.askWithRetries(orderIds);
    } catch (error) {
      if (error instanceof ProviderAuthError) {
        if (!summary.authFailed) {
          summary.authFailed = true;
          this.logger.error({ err: error.message }, 'provider refused the credentials: result polling paused until the next round');
          this.events.onAuthFailed?.(error.message);
        }
      } else if (!this.stopping) {
        summary.failedChunks += 1;
        this.logger.warn({ orders: orderIds.length, err: describeError(error) }, 'getimeis failed after its tries; asked again later');
        const until = new Date((this.options.now ?? Date.now)() + this.options.pollIntervalSeconds * 1000).toISOString();
        this.store.polls.postpone(orderIds, until);
      }
      return;
    }
    summary.calls += 1;
    const now = this.nowIso();
    const recorded = this.store.orders.recordResults(results, now, this.intervals);
    const answered = new Set(results.map((result) => result.orderId));
    this.store.orders.markPolled(orderIds.filter((id) => !answered.has(id)), now, this.intervals);
    summary.changed += recorded.changed;
    summary.finalised += recorded.finalised;
    if (recorded.mismatched.length > 0) {
      this.logger.warn({ orders: recorded.mismatched }, 'getimeis answered with another IMEI than the order holds; result ignored');
    }
    if (recorded.fileIds.length > 0) this.events.onFilesChanged(recorded.fileIds);
  }

  /**
   * `getimeis` with p-retry. The back-off sleeps are ours, not p-retry's, so that `stop` can cut
   * them short while a call already in flight still gets answered and recorded (p-retry's own
   * `signal` would drop that answer).
   */
  private askWithRetries(orderIds: readonly string[]): Promise<OrderResult[]> {
    let rateLimits = 0;
    return pRetry(
      () => {
        if (this.stopping) throw new AbortError(new StoppingError());
        return this.budget.run('read', () => this.client.getOrders(orderIds), this.abort.signal);
      },
      {
        retries: Math.max(0, this.options.maxAttempts - 1),
        minTimeout: 0,
        shouldRetry: ({ error }) => !(error instanceof ProviderAuthError) && !this.stopping,
        shouldConsumeRetry: ({ error }) => {
          if (!isRateLimited(error)) return true;
          rateLimits += 1;
          return rateLimits > MAX_FREE_RATE_LIMITS;
        },
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          this.logger.warn({ orders: orderIds.length, attempt: attemptNumber, retriesLeft, err: error.message }, 'getimeis call failed');
          if (this.stopping || error instanceof ProviderAuthError) return;
          const retryAfter = error instanceof ProviderError ? (error.details.retryAfterSeconds ?? 0) : 0;
          if (retryAfter > 0) return sleep(retryAfter * 1000, this.abort.signal);
          if (retriesLeft > 0 || isRateLimited(error)) return sleep(this.backOffMs(attemptNumber), this.abort.signal);
        },
      },
    );
  }

  /** `retryBaseMs` doubled for each try so far, times a random 1..2 so parallel chunks spread out. */
  private backOffMs(attemptNumber: number): number {
    return this.options.retryBaseMs * 2 ** (attemptNumber - 1) * (1 + Math.random());
  }
}
