import { describe, expect, it } from 'vitest';
import { earliestResultSeconds, PollSchedule } from '../../src/engine/poll-schedule.js';

describe('the poll schedule', () => {
  it.each<[string, number | undefined]>([
    ['Instant', 0],
    ['Instant-5 Minutes', 0],
    ['1-5 Minutes', 60],
    ['5-30 Min', 300],
    ['24 Hours', 86_400],
    ['1-2 hrs', 3600],
    ['1-3 Days', 86_400],
    ['1-10 Working Days', 86_400],
    ['2 Weeks', 1_209_600],
    ['', undefined],
    ['see notes', undefined],
  ])('reads "%s" as a result expected after %s s at the earliest', (text, seconds) => {
    expect(earliestResultSeconds(text)).toBe(seconds);
  });

  it('asks first when the result can be expected, then doubling from the poll interval up to the cap', () => {
    const schedule = new PollSchedule({ pollIntervalSeconds: 60, maxPollIntervalMinutes: 60 });
    expect(schedule.firstDelaySeconds('Instant-5 Minutes')).toBe(5);
    expect(schedule.firstDelaySeconds('30 Seconds')).toBe(30);
    expect(schedule.firstDelaySeconds('1-5 Minutes')).toBe(60);
    expect(schedule.firstDelaySeconds('30-90 Minutes')).toBe(60);
    expect(schedule.firstDelaySeconds('1-2 Hours')).toBe(3600);
    expect(schedule.firstDelaySeconds('1-3 Days')).toBe(86_400);
    expect(schedule.firstDelaySeconds(undefined)).toBe(60);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => schedule.intervalAfterSeconds(n))).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('never waits longer than a short poll interval for a quick service', () => {
    const quick = new PollSchedule({ pollIntervalSeconds: 1, maxPollIntervalMinutes: 60 });
    expect(quick.firstDelaySeconds('Instant')).toBe(1);
    expect(quick.firstDelaySeconds('1-5 Minutes')).toBe(1);
    expect(quick.firstDelaySeconds('3-7 Days')).toBe(3 * 86_400);
  });
});
