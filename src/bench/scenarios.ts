/**
 * The benchmark's scenarios (issue 6) and the goals each is judged by. A goal is measured and
 * reported as met or missed; it never changes what is run.
 */

export interface Scenario {
  name: string;
  /** IMEIs in the one file dropped into the inbox (all valid, all distinct). */
  imeis: number;
  /** The simulator's delay before every reply. */
  latencyMs: number;
  /** The simulator's in-flight limit (429 with `Retry-After: 1` above it); 0 = none. */
  providerMaxInFlight: number;
  /** `submission.concurrency` of the daemon. */
  concurrency: number;
  /** `submission.batchSize` of the daemon; 100 is the contract's default and the established practice. */
  batchSize: number;
  /** `submission.maxAttempts`; default 3, as config/default.json. */
  maxAttempts: number;
  /** `submission.retryBaseMs`; default 1000, as config/default.json. */
  retryBaseMs: number;
  goals: ScenarioGoals;
  /** Reported as a timeout past this (from the drop to the summary); `--timeout-s` overrides it. */
  timeoutMs: number;
  /** One line on what the scenario is for. */
  purpose: string;
  /** Dashboard pages held open (the Now page and its live stream) while the file is sent. Default 0. */
  livePages?: number;
  /**
   * The protocol the simulator and the daemon speak (`provider.protocol`). Default `gsmfusion`.
   * A `dhru` scenario named `<base>-dhru` is compared with `<base>` (issue 19: within 1.3x).
   */
  protocol?: 'gsmfusion' | 'dhru';
  /**
   * Before the measured file, a file of one IMEI goes through unmeasured, as on any day after an
   * account's first: a DHRU daemon sends an account's very first order alone (its order id bounds
   * every later call; README, "A DHRU Fusion server"), a one-time round trip that is not
   * throughput. Calls and orders are counted from the measured file on. Default false.
   */
  warmUp?: boolean;
}

/** Thresholds of one scenario; an absent one is not judged. */
export interface ScenarioGoals {
  /** elapsed / bound at most this. */
  maxBoundRatio?: number;
  /** Elapsed at most this many ms. */
  maxElapsedMs?: number;
  /** The daemon's peak RSS (VmHWM) at most this many MB. */
  maxPeakRssMb?: number;
  /** `placeorder` calls made at most this multiple of the calls strictly needed. */
  maxCallsRatio?: number;
}

const DEFAULTS = {
  batchSize: 100,
  maxAttempts: 3,
  retryBaseMs: 1000,
  providerMaxInFlight: 0,
  timeoutMs: 5 * 60_000,
} as const;

export const SCENARIOS: readonly Scenario[] = [
  {
    ...DEFAULTS,
    name: '20k-200ms',
    imeis: 20_000,
    latencyMs: 200,
    concurrency: 30,
    goals: { maxBoundRatio: 1.3 },
    purpose: 'a big day at live latency: the provider must be the bottleneck',
  },
  {
    ...DEFAULTS,
    name: '20k-200ms-20pages',
    imeis: 20_000,
    latencyMs: 200,
    concurrency: 30,
    livePages: 20,
    goals: { maxBoundRatio: 1.3 },
    purpose: '20k-200ms with 20 dashboard pages open and live: within 5% of it (see the comparison line)',
  },
  {
    ...DEFAULTS,
    name: '20k-200ms-dhru',
    imeis: 20_000,
    latencyMs: 200,
    concurrency: 30,
    protocol: 'dhru',
    warmUp: true,
    goals: {},
    purpose: '20k-200ms through DHRU Fusion bulk calls: within 1.3x of GSM Fusion (see the comparison line)',
  },
  {
    ...DEFAULTS,
    name: '200k-instant',
    imeis: 200_000,
    latencyMs: 0,
    concurrency: 30,
    goals: { maxElapsedMs: 15_000, maxPeakRssMb: 300 },
    purpose: "an instant provider: only the daemon's own cost is left",
  },
  {
    ...DEFAULTS,
    name: '1m-instant',
    imeis: 1_000_000,
    latencyMs: 0,
    concurrency: 30,
    goals: { maxPeakRssMb: 400 },
    // Measured at about 7 minutes on 2 cores: five would only say "timeout".
    timeoutMs: 15 * 60_000,
    purpose: 'one huge file: completes with flat memory',
  },
  {
    ...DEFAULTS,
    name: 'ratelimit-4',
    imeis: 5_000,
    // Calls must overlap for the limit to bite; 200 ms is the live provider's usual latency.
    latencyMs: 200,
    providerMaxInFlight: 4,
    concurrency: 10,
    goals: { maxCallsRatio: 1.5 },
    purpose: 'the provider allows 4 calls at once, the daemon is set to 10',
  },
];

/** `--quick`: every size divided by this, for a smoke run. */
export const QUICK_DIVISOR = 10;

export function quickVersion(scenario: Scenario): Scenario {
  return { ...scenario, imeis: Math.max(scenario.batchSize, Math.round(scenario.imeis / QUICK_DIVISOR)) };
}

/** Calls strictly needed: one per full or partial batch. */
export function callsNeeded(scenario: Scenario): number {
  return Math.ceil(scenario.imeis / scenario.batchSize);
}

/**
 * Calls that can usefully be in flight at once: the daemon's concurrency, or the provider's
 * limit when that is lower (calls above it are refused and only cost time).
 */
export function effectiveConcurrency(scenario: Scenario): number {
  return scenario.providerMaxInFlight > 0
    ? Math.min(scenario.concurrency, scenario.providerMaxInFlight)
    : scenario.concurrency;
}

/** `ceil(IMEIs / batchSize / concurrency) x latency`: the fastest an honest daemon can be. */
export function boundMs(scenario: Scenario): number {
  return Math.ceil(callsNeeded(scenario) / effectiveConcurrency(scenario)) * scenario.latencyMs;
}
