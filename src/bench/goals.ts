/** Goal verdicts of one scenario: measured against the thresholds, never adjusted to pass. */
import type { GoalVerdict, ScenarioResult } from './results.js';
import { BENCH_PROVIDER_TIMEOUT_MS } from './workspace.js';

type Measured = Omit<ScenarioResult, 'goals'>;

/** The contract's SIGTERM waits for calls in flight, each bounded by `provider.timeoutMs`. */
const SIGTERM_LIMIT_MS = BENCH_PROVIDER_TIMEOUT_MS;

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`;
}

function fmtMb(mb: number | undefined): string {
  return mb === undefined ? 'n/a' : `${mb.toFixed(0)} MB`;
}

export function judgeGoals(result: Measured): GoalVerdict[] {
  const { scenario } = result;
  const { goals } = scenario;
  const verdicts: GoalVerdict[] = [
    { goal: 'completes (summary written)', met: result.outcome === 'completed', measured: result.outcome },
    {
      goal: `all ${scenario.imeis} IMEIs ordered (simulator holds them; summary accepted)`,
      met: result.ordersHeld === scenario.imeis && result.summary?.accepted === scenario.imeis,
      measured: `held ${result.ordersHeld}, accepted ${String(result.summary?.accepted ?? 'n/a')}`,
    },
    {
      goal: `max calls in flight (placeorder + getimeis) <= submission.concurrency (${scenario.concurrency})`,
      met: result.maxInFlight <= scenario.concurrency,
      measured: String(result.maxInFlight),
    },
  ];
  if (result.exit !== undefined) {
    const { exit } = result;
    verdicts.push({
      goal: `SIGTERM after the file: exits 0 within ${fmtMs(SIGTERM_LIMIT_MS)} (provider.timeoutMs)`,
      met: !exit.killed && exit.code === 0 && exit.stopMs <= SIGTERM_LIMIT_MS,
      measured: exit.killed ? `killed after ${fmtMs(exit.stopMs)}` : `exit ${String(exit.code ?? exit.signal)} after ${fmtMs(exit.stopMs)}`,
    });
  }
  if (goals.maxBoundRatio !== undefined) {
    verdicts.push({
      goal: `elapsed <= ${goals.maxBoundRatio}x the bound of ${fmtMs(result.boundMs)}`,
      met: result.boundRatio !== undefined && result.boundRatio <= goals.maxBoundRatio,
      measured: result.boundRatio === undefined ? 'n/a' : `${result.boundRatio.toFixed(2)}x (${fmtMs(result.elapsedMs)})`,
    });
  }
  if (goals.maxElapsedMs !== undefined) {
    verdicts.push({
      goal: `elapsed < ${fmtMs(goals.maxElapsedMs)}`,
      met: result.elapsedMs !== undefined && result.elapsedMs < goals.maxElapsedMs,
      measured: fmtMs(result.elapsedMs),
    });
  }
  if (goals.maxPeakRssMb !== undefined) {
    verdicts.push({
      goal: `peak RSS < ${goals.maxPeakRssMb} MB`,
      met: result.peakRssMb !== undefined && result.peakRssMb < goals.maxPeakRssMb,
      measured: fmtMb(result.peakRssMb),
    });
  }
  if (goals.maxCallsRatio !== undefined) {
    const limit = Math.floor(result.callsNeeded * goals.maxCallsRatio);
    verdicts.push({
      goal: `calls made <= ${goals.maxCallsRatio}x the ${result.callsNeeded} needed (${limit})`,
      met: result.calls <= limit,
      measured: `${result.calls} calls, ${result.rateLimited} answered 429`,
    });
  }
  return verdicts;
}
