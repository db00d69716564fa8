import type { LimitFunction } from 'p-limit';
import { sleep } from './abortable-sleep.js';

export interface RateGateOptions {
  /** The ceiling: `submission.concurrency`. */
  maxConcurrency: number;
  /** Calls per minute at most, spaced evenly; 0 = no limit (`submission.maxCallsPerMinute`). */
  maxCallsPerMinute: number;
}

/**
 * Successes in a row needed, per call of the current limit, to grow past the level where the
 * provider last answered 429: it may have raised its limit, but probing costs a refused call.
 */
const PROBE_STREAK_FACTOR = 10;

/**
 * Keeps the daemon gentle with a provider that rate-limits. On a 429 it halves the calls in
 * flight (p-limit's concurrency) and holds every call until `Retry-After` has passed; each
 * streak of successes as long as the current limit grows it back by one, up to one below the
 * level that was refused, and past it only after a long streak; never above
 * `submission.concurrency`. With `maxCallsPerMinute` it also spaces calls evenly.
 */
export class RateGate {
  private successStreak = 0;
  /** Counts the halvings: a call remembers the level it left at. */
  private level = 0;
  /** The most calls in flight the provider is known to take: one below the last refused level. */
  private knownGood: number;
  private pausedUntil = 0;
  private nextSlotAt = 0;

  constructor(
    private readonly limit: LimitFunction,
    private readonly options: RateGateOptions,
  ) {
    this.knownGood = options.maxConcurrency;
  }

  get concurrency(): number {
    return this.limit.concurrency;
  }

  /**
   * Waits for the end of a rate-limit pause and for this call's place in the pacing. Returns
   * the level the call leaves at, to hand back to `onRateLimited` if it is refused.
   */
  async waitTurn(signal: AbortSignal): Promise<number> {
    await sleep(this.pausedUntil - Date.now(), signal);
    if (this.options.maxCallsPerMinute > 0) {
      const spacing = 60_000 / this.options.maxCallsPerMinute;
      const now = Date.now();
      const slot = Math.max(now, this.nextSlotAt);
      this.nextSlotAt = slot + spacing;
      await sleep(slot - now, signal);
    }
    return this.level;
  }

  /** A call that left at `sentAtLevel` (from `waitTurn`) was answered 429. */
  onRateLimited(retryAfterSeconds: number | undefined, sentAtLevel: number): void {
    this.successStreak = 0;
    // Only a call sent since the last halving says the current limit is too high. The others
    // left before it (the rest of the same burst, or late answers of calls sent at the old
    // limit) would halve a limit that already accounts for them, down to 1.
    if (sentAtLevel === this.level) {
      this.level += 1;
      this.knownGood = Math.max(1, this.limit.concurrency - 1);
      this.limit.concurrency = Math.max(1, Math.floor(this.limit.concurrency / 2));
    }
    const pause = (retryAfterSeconds ?? 1) * 1000;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + pause);
  }

  onSuccess(): void {
    this.successStreak += 1;
    const current = this.limit.concurrency;
    if (current >= this.options.maxConcurrency) return;
    const needed = current < this.knownGood ? current : current * PROBE_STREAK_FACTOR;
    if (this.successStreak >= needed) {
      this.limit.concurrency = current + 1;
      this.knownGood = Math.max(this.knownGood, current + 1);
      this.successStreak = 0;
    }
  }
}
