/**
 * Scenarios of the provider's call budget (issue 15): how long from the drop until every
 * result is in the report, against the time the calls strictly needed take at the provider's
 * pace, and whether the daemon ever exceeds `submission.maxCallsPerMinute`. Each runs the real
 * daemon against the simulator and waits for every summary to say `final: true`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator, type SimulatorOptions } from '../simulator/index.js';
import { DaemonProcess } from './daemon-process.js';
import { writeImeiCsv } from './generate.js';
import { BENCH_API_KEY, BENCH_USERNAME, createWorkspace, writeDaemonConfig } from './workspace.js';

export interface BudgetScenario {
  name: string;
  purpose: string;
  /** Files dropped together, and IMEIs in each. */
  files: number;
  imeisPerFile: number;
  simulator: SimulatorOptions;
  concurrency: number;
  /** `submission.maxCallsPerMinute`; 0 = none. */
  maxCallsPerMinute: number;
  pollIntervalSeconds: number;
  /** The calls strictly needed, placing and reading, and how long they take at the provider's pace (ms). */
  needed: { calls: number; ms: number };
  /** elapsed / needed.ms at most this; placing calls at most `maxPlaceCalls`. */
  goals: { maxRatio?: number; maxPlaceCalls?: number };
}

export interface BudgetResult {
  name: string;
  outcome: 'completed' | 'timeout';
  /** From the files' rename into the inbox until the last summary said `final` (its mtime). */
  elapsedMs: number;
  neededMs: number;
  placeCalls: number;
  readCalls: number;
  /** The most calls of any kind that started within one minute. */
  mostCallsPerMinute: number;
  goalsMet: boolean;
}

export const BUDGET_SCENARIOS: readonly BudgetScenario[] = [
  {
    name: 'budget-600',
    purpose: '5,000 IMEIs at 600 calls a minute, results ready 3 s after ordering: every result in the report',
    files: 1,
    imeisPerFile: 5000,
    simulator: { latencyMs: 200, completeAfterMs: 3000 },
    concurrency: 10,
    maxCallsPerMinute: 600,
    pollIntervalSeconds: 3,
    // 50 placing calls and 50 reading calls at 10 a second; the last results are ready 3 s after the last order.
    needed: { calls: 100, ms: 100 * 100 },
    goals: { maxRatio: 1.3 },
  },
  {
    name: 'files-200x50',
    purpose: '200 files of 50 IMEIs dropped together: calls filled across files',
    files: 200,
    imeisPerFile: 50,
    simulator: { latencyMs: 200, completeAfterMs: 1000 },
    concurrency: 10,
    maxCallsPerMinute: 0,
    pollIntervalSeconds: 2,
    needed: { calls: 200, ms: (100 / 10) * 200 + (100 / 10) * 200 },
    goals: { maxPlaceCalls: 105 },
  },
  {
    name: 'live-15s',
    purpose: 'the recorded live server: 15 s a call, one IMEI of each list ordered; 100 IMEIs',
    files: 1,
    imeisPerFile: 100,
    simulator: { latencyMs: 15_000, placesOnlyLastImei: true, completeAfterMs: 5000 },
    concurrency: 10,
    maxCallsPerMinute: 0,
    pollIntervalSeconds: 5,
    // 100 one-IMEI calls, 10 at a time, then one round of results (10 reads of 10... ids, 10 at a time).
    needed: { calls: 110, ms: 10 * 15_000 + 15_000 },
    goals: { maxRatio: 1.3 },
  },
];

const TIMEOUT_MS = 10 * 60_000;

/** The most calls that started within any `windowMs`, from the simulator's `callTimes()`. */
export function mostCallsWithin(times: readonly number[], windowMs: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last += 1) {
    while ((times[last] as number) - (times[first] as number) >= windowMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The time the last summary said `final: true`, or undefined while one is not final. */
function allFinalAt(processed: string, names: readonly string[]): number | undefined {
  let last = 0;
  for (const name of names) {
    const path = join(processed, `${name}.summary.json`);
    if (!existsSync(path)) return undefined;
    try {
      if ((JSON.parse(readFileSync(path, 'utf8')) as { final?: boolean }).final !== true) return undefined;
    } catch {
      return undefined; // being replaced
    }
    last = Math.max(last, statSync(path).mtimeMs);
  }
  return last;
}

export async function runBudgetScenario(scenario: BudgetScenario, logLevel: string): Promise<BudgetResult> {
  const sim = await startSimulator({ username: BENCH_USERNAME, apiKey: BENCH_API_KEY, ...scenario.simulator });
  const ws = await createWorkspace(scenario.name);
  try {
    await writeDaemonConfig(ws, {
      provider: { baseUrl: sim.url, username: BENCH_USERNAME, apiKey: BENCH_API_KEY, timeoutMs: 60_000 },
      folders: { inbox: ws.inbox, processed: ws.processed, checkpoints: ws.checkpoints },
      submission: { concurrency: scenario.concurrency, maxCallsPerMinute: scenario.maxCallsPerMinute },
      results: { pollIntervalSeconds: scenario.pollIntervalSeconds },
      watch: { stabilityMs: 100 },
      log: { level: logLevel, file: '' },
      web: { enabled: false },
    });
    const names = Array.from({ length: scenario.files }, (_, i) => `part-${String(i).padStart(3, '0')}`);
    for (const [i, name] of names.entries()) {
      await writeImeiCsv(join(ws.staging, `${name}.csv`), scenario.imeisPerFile, i * scenario.imeisPerFile);
    }
    const daemon = DaemonProcess.start({ configFile: ws.configFile });
    await daemon.waitForLog('watching the inbox', 60_000);
    const droppedAt = Date.now();
    for (const name of names) await rename(join(ws.staging, `${name}.csv`), join(ws.inbox, `${name}.csv`));
    let finalAt: number | undefined;
    while (finalAt === undefined && Date.now() - droppedAt < TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      finalAt = allFinalAt(ws.processed, names);
    }
    await daemon.stop(60_000);
    const stats = sim.stats();
    const elapsedMs = (finalAt ?? Date.now()) - droppedAt;
    const ratioOk = scenario.goals.maxRatio === undefined || elapsedMs <= scenario.goals.maxRatio * scenario.needed.ms;
    const callsOk = scenario.goals.maxPlaceCalls === undefined || stats.placeorderCalls <= scenario.goals.maxPlaceCalls;
    const budgetOk = scenario.maxCallsPerMinute === 0 || mostCallsWithin(sim.callTimes(), 60_000) <= scenario.maxCallsPerMinute;
    return {
      name: scenario.name,
      outcome: finalAt === undefined ? 'timeout' : 'completed',
      elapsedMs,
      neededMs: scenario.needed.ms,
      placeCalls: stats.placeorderCalls,
      readCalls: stats.getimeisCalls,
      mostCallsPerMinute: mostCallsWithin(sim.callTimes(), 60_000),
      goalsMet: finalAt !== undefined && ratioOk && callsOk && budgetOk,
    };
  } finally {
    await sim.close();
    await ws.remove();
  }
}

/** One line per result, for the benchmark's output. */
export function budgetLine(result: BudgetResult): string {
  const ratio = (result.elapsedMs / result.neededMs).toFixed(2);
  return (
    `${result.name}: ${result.outcome}, every result in the report after ${(result.elapsedMs / 1000).toFixed(1)} s ` +
    `(calls needed take ${(result.neededMs / 1000).toFixed(1)} s: ${ratio}x), ${result.placeCalls} placing and ` +
    `${result.readCalls} reading calls, at most ${result.mostCallsPerMinute} calls in any minute; goals ${result.goalsMet ? 'met' : 'MISSED'}`
  );
}
