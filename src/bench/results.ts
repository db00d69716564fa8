/** The shape of `bench-results.json`: what one scenario measured, and the run around it. */
import type { BudgetResult } from './budget-scenarios.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { DashboardPaintResult } from './dashboard-paint.js';
import type { LivePagesResult } from './live-pages.js';
import type { Scenario } from './scenarios.js';

/**
 * How a scenario ended. `completed`: the summary appeared. `timeout`: it did not within the
 * limit. `daemon-exited`: the daemon died before it did. `error`: the benchmark itself failed
 * to set the scenario up.
 */
export type ScenarioOutcome = 'completed' | 'timeout' | 'daemon-exited' | 'error';

/** One step of a file's way through the daemon, between two instants the daemon itself recorded. */
export interface PhaseMeasure {
  name: 'watch' | 'intake' | 'submit' | 'report';
  /** What the step covers, in a few words. */
  covers: string;
  ms: number;
  /** The daemon's CPU (all threads) during the step; above `ms` means more than one core. */
  cpuMs: number | undefined;
  peakRssMb: number | undefined;
}

/** What the daemon wrote in `NAME.summary.json`, the fields the benchmark checks. */
export interface SummaryFigures {
  rows: number | undefined;
  accepted: number | undefined;
  failed: number | undefined;
  unconfirmed: number | undefined;
  apiCalls: number | undefined;
  final: boolean | undefined;
  error: string | undefined;
}

export interface GoalVerdict {
  goal: string;
  met: boolean;
  /** The measured value, in words. */
  measured: string;
}

export interface ScenarioResult {
  scenario: Scenario;
  /** For a scenario with `livePages`: what the pages received while the file was sent. */
  livePages?: LivePagesResult | undefined;
  outcome: ScenarioOutcome;
  error: string | undefined;
  fileBytes: number;
  /** From the moment the file was stable (rename + stabilityMs) until its summary existed. */
  elapsedMs: number | undefined;
  boundMs: number;
  /** elapsed / bound; undefined when the bound is 0 (an instant provider). */
  boundRatio: number | undefined;
  callsNeeded: number;
  /** `placeorder` calls the simulator received, 429-ed ones included. */
  calls: number;
  /** `getimeis` calls (the daemon's result poller) in the same window. */
  getimeisCalls: number;
  /** The most calls of any action the simulator handled at once (placeorder and getimeis together). */
  maxInFlight: number;
  rateLimited: number;
  ordersHeld: number;
  /** Calls the daemon logged as failed and retried (`placeorder call failed`). */
  failedCallsLogged: number;
  summary: SummaryFigures | undefined;
  /** `VmHWM` of the daemon just before it was stopped, MB. */
  peakRssMb: number | undefined;
  /** Highest `VmRSS` of the 100 ms samples, MB (a cross-check of `peakRssMb`). */
  sampledPeakRssMb: number | undefined;
  /** RSS when the file was dropped in: the idle daemon's baseline, MB. */
  idleRssMb: number | undefined;
  /** The daemon's CPU between the file's drop and its summary, ms. */
  daemonCpuMs: number | undefined;
  /** The benchmark process's CPU (mostly the simulator) in the same window, ms. */
  simulatorCpuMs: number;
  /**
   * CPU of every other process on the machine in the same window, ms: other work (a test run,
   * a build) competing for the cores makes the numbers of that scenario unreliable.
   */
  otherCpuMs: number | undefined;
  /** Time the machine's cores sat waiting for disk I/O in the window, ms (fsync shows up here). */
  iowaitMs: number | undefined;
  phases: PhaseMeasure[];
  /** With `--log-level debug`: ms from `file read` to the first and the last `placeorder replied`. */
  firstReplyMs: number | undefined;
  lastReplyMs: number | undefined;
  /** How the daemon took SIGTERM: the contract says it exits 0 once calls in flight are recorded. */
  exit: { code: number | null; signal: string | null; killed: boolean; stopMs: number } | undefined;
  goals: GoalVerdict[];
  profile: ProfileSummary | undefined;
  /** Kept with `--keep`. */
  workspace: string | undefined;
}

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  totalMemoryMb: number;
  node: string;
  platform: string;
  /** Median time of one small write + fsync in the temp dir: SQLite's `synchronous=FULL` pays it per commit. */
  fsyncMedianMs: number | undefined;
}

export interface BenchResults {
  startedAt: string;
  quick: boolean;
  daemonLogLevel: string;
  machine: MachineInfo;
  results: ScenarioResult[];
  /** `dashboard-1m`, when it ran: each page's times with a million rows of history. */
  dashboard?: DashboardPaintResult;
  /** The call-budget scenarios (issue 15), each run. */
  budget?: BudgetResult[];
}
