import type { LimitFunction } from 'p-limit';
import { sleep } from './abortable-sleep.js';

export interface RateGateOptions {
  /** The ceiling: `submission.concurrency`. */
  maxConcurrency: number;
  /** Calls per minute at most, spaced evenly; 0 = no limit (`submission.maxCallsPerMinute`). */
  maxCallsPerMinute: number;
}

/**
 * Keeps the daemon gentle with a provider that rate-limits. On a 429 it halves the calls in
 * flight (p-limit's concurrency) and holds every call until `Retry-After` has passed; each
 * streak of successes as long as the current limit grows it back by one, never above the
 * configured ceiling. With `maxCallsPerMinute` it also spaces calls evenly.
 */
export class RateGate {
  private successStreak = 0;
  private pausedUntil = 0;
  private nextSlotAt = 0;

  constructor(
    private readonly limit: LimitFunction,
    private readonly options: RateGateOptions,
  ) {}

  get concurrency(): number {
    return this.limit.concurrency;
  }

  /** Waits for the end of a rate-limit pause and for this call's place in the pacing. */
  async waitTurn(signal: AbortSignal): Promise<void> {
    await sleep(this.pausedUntil - Date.now(), signal);
    if (this.options.maxCallsPerMinute > 0) {
      const spacing = 60_000 / this.options.maxCallsPerMinute;
      const now = Date.now();
      const slot = Math.max(now, this.nextSlotAt);
      this.nextSlotAt = slot + spacing;
      await sleep(slot - now, signal);
    }
  }

  onRateLimited(retryAfterSeconds: number | undefined): void {
    this.successStreak = 0;
    // One halving per burst: the other calls of the same burst get their 429 during the pause
    // the first one started, and halving for each would collapse the limit to 1.
    if (Date.now() >= this.pausedUntil) {
      this.limit.concurrency = Math.max(1, Math.floor(this.limit.concurrency / 2));
    }
    const pause = (retryAfterSeconds ?? 1) * 1000;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + pause);
  }

  onSuccess(): void {
    this.successStreak += 1;
    if (this.successStreak >= this.limit.concurrency && this.limit.concurrency < this.options.maxConcurrency) {
      this.limit.concurrency += 1;
      this.successStreak = 0;
    }
  }
}
