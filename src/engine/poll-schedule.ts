/**
 * When an open order is next asked for its result (issue 15): first when the result can be
 * expected, from the service's delivery time in the catalogue (`TimeTaken`: "Instant-5 Minutes",
 * "1-3 Days"), then at `results.pollIntervalSeconds`, doubling each time, up to
 * `results.maxPollIntervalMinutes`. Three thousand unlocks that take days are then asked a
 * handful of times an hour, not every minute.
 */

export interface PollScheduleOptions {
  /** The first interval after the first poll, and the delay for a service of unknown delivery time (s). */
  pollIntervalSeconds: number;
  /** The longest interval between two polls of one order (minutes). */
  maxPollIntervalMinutes: number;
}

/** The shortest first delay: an "Instant" checker still takes a moment, and a poll before it is wasted. */
const INSTANT_FIRST_POLL_SECONDS = 5;

const UNIT_SECONDS: ReadonlyArray<[RegExp, number]> = [
  [/^s(ec(ond)?s?)?$/, 1],
  [/^m(in(ute)?s?)?$/, 60],
  [/^h((ou)?rs?)?$/, 3600],
  [/^(working)?days?$/, 86_400],
  [/^w(ee)?ks?$/, 604_800],
];

/**
 * The earliest a result can be expected, in seconds, from a delivery time as providers write
 * it: the lower end of a range, in the range's unit ("1-3 Days" is 1 day, "Instant-5 Minutes"
 * is 0, "30 Min" is 30 minutes); undefined when the text says nothing usable.
 */
export function earliestResultSeconds(timeTaken: string): number | undefined {
  const text = timeTaken.toLowerCase().trim();
  if (/^(instant|immediate|realtime|real time)/.test(text)) return 0;
  const match = /(\d+(?:\.\d+)?)\s*(?:-|to|~)?\s*(?:\d+(?:\.\d+)?)?\s*([a-z]+(?:\s+days?)?)/.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').replace(/\s+/g, '');
  const seconds = UNIT_SECONDS.find(([pattern]) => pattern.test(unit))?.[1];
  return seconds === undefined ? undefined : Number(match[1]) * seconds;
}

export class PollSchedule {
  constructor(private readonly options: PollScheduleOptions) {}

  /**
   * Seconds from placing an order to its first poll. A service whose results take longer than
   * the longest interval (an unlock, "1-3 Days") is first asked when they can be expected: asking
   * earlier is waste. A quicker one ("1-5 Minutes": checkers often answer in seconds all the same)
   * is asked at the poll interval, and an instant one sooner, from 5 s.
   */
  firstDelaySeconds(timeTaken: string | undefined): number {
    const earliest = timeTaken === undefined ? undefined : earliestResultSeconds(timeTaken);
    if (earliest === undefined) return this.options.pollIntervalSeconds;
    if (earliest >= this.maxIntervalSeconds()) return earliest;
    const soonest = Math.min(this.options.pollIntervalSeconds, INSTANT_FIRST_POLL_SECONDS);
    return Math.min(Math.max(earliest, soonest), this.options.pollIntervalSeconds);
  }

  /** Seconds from the `polls`-th poll (1 for the first) to the next: doubling, capped. */
  intervalAfterSeconds(polls: number): number {
    const doubled = this.options.pollIntervalSeconds * 2 ** Math.min(Math.max(polls - 1, 0), 30);
    return Math.min(doubled, this.maxIntervalSeconds());
  }

  maxIntervalSeconds(): number {
    return Math.max(this.options.maxPollIntervalMinutes * 60, this.options.pollIntervalSeconds);
  }
}
