import { describe, expect, it } from 'vitest';
import { CallBudget, type CallKind, type CallPermit } from '../../src/engine/call-budget.js';

/** A clock the test moves; the budget's own timers are not used while nothing waits for time. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

/** Acquires and notes the order in which permits were granted. */
function acquireAll(budget: CallBudget, kinds: readonly CallKind[], granted: string[]): Promise<CallPermit>[] {
  return kinds.map((kind, i) =>
    budget.acquire(kind).then((permit) => {
      granted.push(`${kind}${i}`);
      return permit;
    }),
  );
}

describe('the call budget', () => {
  it('never has more calls in flight than its limit, and lets placing calls go first', async () => {
    const budget = new CallBudget({ maxConcurrency: 2, maxCallsPerMinute: 0, placesPerRead: 2 });
    const granted: string[] = [];
    const first = await Promise.all(acquireAll(budget, ['read', 'read'], granted));
    expect(budget.callsInFlight).toBe(2);
    // Now four placing calls and one read wait; each release lets exactly one through.
    const waiting = acquireAll(budget, ['place', 'place', 'place', 'read', 'place'], granted);
    for (const permit of first) permit.release({ kind: 'answered' });
    await Promise.resolve();
    expect(granted).toEqual(['read0', 'read1', 'place0', 'place1']);
    const next = await Promise.all(waiting.slice(0, 2));
    for (const permit of next) permit.release({ kind: 'answered' });
    await new Promise((resolve) => setImmediate(resolve));
    // After two placing calls in a row the waiting read goes, so results never starve.
    expect(granted.slice(4)).toEqual(['read3', 'place2']);
    expect(budget.callsInFlight).toBe(2);
  });

  it('learns the limit from a 429: a call that left with N calls in flight says the provider takes N', async () => {
    const learnt: number[] = [];
    const time = clock();
    const budget = new CallBudget({ maxConcurrency: 30, maxCallsPerMinute: 0, now: time.now, onConcurrencyLearnt: (n) => learnt.push(n) });
    const permits = await Promise.all(Array.from({ length: 8 }, () => budget.acquire('place')));
    // The provider took four: the fifth to eighth calls (4 to 7 already in flight) are refused.
    for (const permit of permits.slice(4)) permit.release({ kind: 'rate-limited', retryAfterSeconds: 1 });
    expect(budget.concurrency).toBe(4);
    expect(learnt).toEqual([4]);
    for (const permit of permits.slice(0, 4)) permit.release({ kind: 'answered' });
    time.advance(1000); // the pause the 429s asked for
    // Staying at 4 costs nothing; trying 5 waits for a run of 80 successes (20 per call of the limit, the four above included).
    for (let i = 0; i < 75; i += 1) (await budget.acquire('place')).release({ kind: 'answered' });
    expect(budget.concurrency).toBe(4);
    (await budget.acquire('place')).release({ kind: 'answered' });
    expect(budget.concurrency).toBe(5);
    expect(learnt).toEqual([4, 5]);
  });

  it('starts at the limit learnt before, never above the configured one', () => {
    expect(new CallBudget({ maxConcurrency: 10, maxCallsPerMinute: 0, learntConcurrency: 4 }).concurrency).toBe(4);
    expect(new CallBudget({ maxConcurrency: 3, maxCallsPerMinute: 0, learntConcurrency: 40 }).concurrency).toBe(3);
  });

  it('holds every call, of every kind, for the pause a 429 asks for', async () => {
    const time = clock();
    const budget = new CallBudget({ maxConcurrency: 5, maxCallsPerMinute: 0, now: time.now });
    (await budget.acquire('place')).release({ kind: 'rate-limited', retryAfterSeconds: 30 });
    let granted = false;
    const read = budget.acquire('read').then((permit) => {
      granted = true;
      return permit;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(granted).toBe(false);
    budget.close();
    await expect(read).rejects.toThrow(/stopping/);
  });

  it('spaces calls of every kind to stay within the calls per minute', async () => {
    const budget = new CallBudget({ maxConcurrency: 10, maxCallsPerMinute: 1200 });
    const started = Date.now();
    for (const kind of ['place', 'read', 'place', 'read', 'place'] as const) (await budget.acquire(kind)).release({ kind: 'answered' });
    // 1,200 a minute is one call per 50 ms: five calls take at least four gaps.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 50 - 5);
    expect(budget.callsLastMinute()).toBe(5);
  });

  it('lets a waiting call go when its signal aborts', async () => {
    const budget = new CallBudget({ maxConcurrency: 1, maxCallsPerMinute: 0 });
    const held = await budget.acquire('place');
    const abort = new AbortController();
    const waiting = budget.acquire('read', abort.signal);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    held.release({ kind: 'answered' });
    expect(budget.callsInFlight).toBe(0);
  });
});
