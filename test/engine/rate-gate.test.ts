import pLimit from 'p-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateGate } from '../../src/engine/rate-gate.js';

describe('the rate gate', () => {
  it('halves the calls in flight once per burst of 429s and grows back by one per success streak', () => {
    const limit = pLimit(10);
    const gate = new RateGate(limit, { maxConcurrency: 10, maxCallsPerMinute: 0 });
    // Six calls that left together (at level 0) are refused: one halving, not six.
    for (let i = 0; i < 6; i += 1) gate.onRateLimited(1, 0);
    expect(limit.concurrency).toBe(5);
    for (let i = 0; i < 5; i += 1) gate.onSuccess();
    expect(limit.concurrency).toBe(6);
    for (let i = 0; i < 200; i += 1) gate.onSuccess();
    expect(limit.concurrency).toBe(10);
  });

  it('grows back quickly to one below the refused level, and past it only after a long streak', () => {
    const limit = pLimit(10);
    const gate = new RateGate(limit, { maxConcurrency: 10, maxCallsPerMinute: 0 });
    gate.onRateLimited(0, 0); // refused at 10: 9 is the most known to work
    expect(limit.concurrency).toBe(5);
    gate.onRateLimited(0, 1); // a call sent at the new limit is refused: 4 is known to work
    expect(limit.concurrency).toBe(2);
    for (let i = 0; i < 2 + 3; i += 1) gate.onSuccess();
    expect(limit.concurrency).toBe(4);
    // Staying at 4 costs nothing; probing 5 (where the provider refused) waits for 40 successes.
    for (let i = 0; i < 39; i += 1) gate.onSuccess();
    expect(limit.concurrency).toBe(4);
    gate.onSuccess();
    expect(limit.concurrency).toBe(5);
  });

  it('takes a late 429 of a call sent before the last halving as no news', () => {
    const limit = pLimit(30);
    const gate = new RateGate(limit, { maxConcurrency: 30, maxCallsPerMinute: 0 });
    gate.onRateLimited(0, 0);
    expect(limit.concurrency).toBe(15);
    // Answers to calls that left at 30, arriving after the pause: the limit already allows for them.
    gate.onRateLimited(0, 0);
    gate.onRateLimited(0, 0);
    expect(limit.concurrency).toBe(15);
    for (let i = 0; i < 15 + 16 + 17; i += 1) gate.onSuccess();
    expect(limit.concurrency).toBe(18);
  });

  it('never goes below one call', () => {
    const limit = pLimit(1);
    const gate = new RateGate(limit, { maxConcurrency: 1, maxCallsPerMinute: 0 });
    gate.onRateLimited(0, 0);
    expect(limit.concurrency).toBe(1);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('spaces calls evenly under maxCallsPerMinute', async () => {
    vi.useFakeTimers();
    const gate = new RateGate(pLimit(10), { maxConcurrency: 10, maxCallsPerMinute: 60 });
    const signal = new AbortController().signal;
    const started = Date.now();
    const turns: number[] = [];
    const waits = [0, 1, 2].map(() => gate.waitTurn(signal).then(() => turns.push(Date.now() - started)));
    await vi.advanceTimersByTimeAsync(2500);
    await Promise.all(waits);
    expect(turns).toEqual([0, 1000, 2000]);
  });

  it('holds every call until Retry-After has passed', async () => {
    vi.useFakeTimers();
    const gate = new RateGate(pLimit(10), { maxConcurrency: 10, maxCallsPerMinute: 0 });
    gate.onRateLimited(3, 0);
    let passed = false;
    const wait = gate.waitTurn(new AbortController().signal).then(() => {
      passed = true;
    });
    await vi.advanceTimersByTimeAsync(2900);
    expect(passed).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    await wait;
    expect(passed).toBe(true);
  });
});
