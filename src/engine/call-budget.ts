import { ProviderError, StoppingError } from '../errors.js';

/** What a call is for: placing orders comes first; reading (results, searches, the catalogue) never starves. */
export type CallKind = 'place' | 'read';

export interface CallBudgetOptions {
  /** Calls in flight at most (`submission.concurrency`). */
  maxConcurrency: number;
  /** Calls per minute at most, every kind together, spaced evenly; 0 = no limit (`submission.maxCallsPerMinute`). */
  maxCallsPerMinute: number;
  /** While both kinds wait, a reading call is let through after this many placing calls in a row. Default 4. */
  placesPerRead?: number;
  /** The limit on calls in flight learnt earlier from this provider's 429s; default `maxConcurrency`. */
  learntConcurrency?: number;
  /** Told when the learnt limit changes, to keep it for the next start. */
  onConcurrencyLearnt?: (concurrency: number) => void;
  /** The clock; tests move it. Default `Date.now`. */
  now?: () => number;
}

/** How a call that held a permit ended; `unused`: no call was made after all. */
export type CallOutcome =
  | { kind: 'answered' }
  | { kind: 'failed' }
  | { kind: 'unused' }
  | { kind: 'rate-limited'; retryAfterSeconds?: number | undefined };

/** The right to make one call now; `release` exactly once, with how it ended. */
export interface CallPermit {
  release(outcome: CallOutcome): void;
}

/**
 * Successes in a row needed, per call of the current limit, to try one call more than the
 * provider took when it last answered 429: it may have raised its limit, but a probe costs a
 * refused call.
 */
const PROBE_STREAK_FACTOR = 20;

interface Waiter {
  kind: CallKind;
  resolve: (permit: CallPermit) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * One budget for every call to the provider (issue 15): calls in flight, calls per minute and
 * the pause a 429 asks for apply to placing and reading alike. Waiting placing calls go first;
 * a waiting reading call goes after `placesPerRead` placing ones, so results keep coming while
 * a big file is sent.
 *
 * The limit on calls in flight is learnt: a 429 to a call that left with N calls already in
 * flight says the provider takes at most N, so the limit drops to N (not blindly by half), and
 * it grows back by one only after a long run of successes. The learnt limit is handed to
 * `onConcurrencyLearnt`, so the next start does not pay for it again.
 */
export class CallBudget {
  private readonly waiting: Waiter[] = [];
  private inFlight = 0;
  private limit: number;
  /** The most calls in flight the provider is known to take. */
  private knownGood: number;
  private successStreak = 0;
  private placesInARow = 0;
  private pausedUntil = 0;
  private nextSlotAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;
  /** Start times of the calls of the last minute, for `callsLastMinute`. */
  private readonly recent: number[] = [];

  constructor(private readonly options: CallBudgetOptions) {
    this.now = options.now ?? Date.now;
    this.limit = Math.max(1, Math.min(options.maxConcurrency, options.learntConcurrency ?? options.maxConcurrency));
    this.knownGood = this.limit;
  }

  /** The current limit on calls in flight. */
  get concurrency(): number {
    return this.limit;
  }

  get callsInFlight(): number {
    return this.inFlight;
  }

  /** Calls started in the last 60 s, every kind (for the dashboard and tests). */
  callsLastMinute(): number {
    this.forgetOld(this.now());
    return this.recent.length;
  }

  /** Waits for a permit; rejects with the signal's reason if it aborts first. */
  acquire(kind: CallKind, signal?: AbortSignal): Promise<CallPermit> {
    if (this.closed) return Promise.reject(new StoppingError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<CallPermit>((resolve, reject) => {
      const waiter: Waiter = {
        kind,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
      this.grant();
    });
  }

  /** Runs `call` under a permit; a thrown error's `rateLimited` detail is passed back as a 429. */
  async run<T>(kind: CallKind, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const permit = await this.acquire(kind, signal);
    try {
      const result = await call();
      permit.release({ kind: 'answered' });
      return result;
    } catch (error) {
      permit.release(outcomeOf(error));
      throw error;
    }
  }

  /** Refuses every waiting and later call; calls in flight finish. Safe to call twice. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiting.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(new StoppingError());
    }
  }

  /** Hands out permits while there is room, in turn and in time; otherwise waits for a release or the clock. */
  private grant(): void {
    while (!this.closed && this.waiting.length > 0 && this.inFlight < this.limit) {
      const now = this.now();
      const readyAt = Math.max(this.pausedUntil, this.nextSlotAt);
      if (readyAt > now) {
        this.wakeAt(readyAt - now);
        return;
      }
      const waiter = this.next();
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      if (this.options.maxCallsPerMinute > 0) this.nextSlotAt = now + 60_000 / this.options.maxCallsPerMinute;
      this.recent.push(now);
      this.forgetOld(now);
      waiter.resolve(this.permit(this.inFlight));
      this.inFlight += 1;
    }
  }

  /** The next waiter: placing first, but a reading call after `placesPerRead` placing ones. */
  private next(): Waiter {
    const placeIndex = this.waiting.findIndex((waiter) => waiter.kind === 'place');
    const readIndex = this.waiting.findIndex((waiter) => waiter.kind === 'read');
    const readsDue = readIndex >= 0 && (placeIndex < 0 || this.placesInARow >= (this.options.placesPerRead ?? 4));
    const index = readsDue ? readIndex : placeIndex;
    this.placesInARow = readsDue ? 0 : this.placesInARow + 1;
    return this.waiting.splice(index, 1)[0] as Waiter;
  }

  private permit(inFlightBefore: number): CallPermit {
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        if (outcome.kind === 'rate-limited') this.rateLimited(inFlightBefore, outcome.retryAfterSeconds);
        else if (outcome.kind === 'answered') this.answered();
        this.grant();
      },
    };
  }

  private rateLimited(inFlightBefore: number, retryAfterSeconds: number | undefined): void {
    this.successStreak = 0;
    const taken = Math.max(1, inFlightBefore);
    if (taken < this.limit) {
      this.limit = taken;
      this.knownGood = taken;
      this.options.onConcurrencyLearnt?.(taken);
    }
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + (retryAfterSeconds ?? 1) * 1000);
  }

  private answered(): void {
    this.successStreak += 1;
    if (this.limit >= this.options.maxConcurrency) return;
    const needed = this.limit < this.knownGood ? this.limit : this.limit * PROBE_STREAK_FACTOR;
    if (this.successStreak < needed) return;
    this.limit += 1;
    this.successStreak = 0;
    if (this.limit > this.knownGood) {
      this.knownGood = this.limit;
      this.options.onConcurrencyLearnt?.(this.limit);
    }
  }

  private wakeAt(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.grant();
    }, delayMs);
  }

  private forgetOld(now: number): void {
    while (this.recent.length > 0 && (this.recent[0] as number) <= now - 60_000) this.recent.shift();
  }
}

/** How a thrown provider error counts against the budget. */
export function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof ProviderError && error.details.rateLimited === true) {
    return { kind: 'rate-limited', retryAfterSeconds: error.details.retryAfterSeconds };
  }
  return { kind: 'failed' };
}
