/**
 * One scenario end to end: a simulator in this process, the real daemon as a child process,
 * one generated file renamed into the inbox, and the clock running from the moment that file
 * is stable until its summary exists.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startSimulator, type Simulator, type SimulatorStats } from '../simulator/index.js';
import { summariseProfileDir, type ProfileSummary } from './cpu-profile.js';
import { DaemonProcess, describeExit, type LogLine, type StopOutcome } from './daemon-process.js';
import { writeImeiCsv } from './generate.js';
import { dashboardUrl, openLivePages, type LivePages, type LivePagesResult } from './live-pages.js';
import { judgeGoals } from './goals.js';
import { fileTimeline, measurePhases, replySpread, summaryFigures } from './phases.js';
import {
  machineCpuBetween,
  ProcSampler,
  readMachineCpu,
  readProc,
  type MachineCpu,
  type ProcReading,
} from './proc-sampler.js';
import type { ScenarioOutcome, ScenarioResult } from './results.js';
import { boundMs, callsNeeded, type Scenario } from './scenarios.js';
import {
  BENCH_API_KEY,
  BENCH_PROVIDER_TIMEOUT_MS,
  BENCH_STABILITY_MS,
  BENCH_USERNAME,
  createWorkspace,
  daemonConfig,
  writeDaemonConfig,
  type BenchWorkspace,
} from './workspace.js';

export interface RunScenarioOptions {
  timeoutMs: number;
  logLevel: string;
  /** The daemon's log lines are saved here as JSON lines, for a closer look. */
  logFile: string;
  /** Where to write the daemon's `.cpuprofile`; undefined = no profiling. */
  profileDir: string | undefined;
  keepWorkspace: boolean;
}

/** Start-up (migrations, catalogue) is quick; this only catches a daemon that cannot start. */
const READY_TIMEOUT_MS = 60_000;
/**
 * SIGTERM waits for calls in flight, each bounded by `provider.timeoutMs`: past that the
 * daemon is not stopping as the contract says, and is killed.
 */
const STOP_GRACE_MS = BENCH_PROVIDER_TIMEOUT_MS;

/** node writes the profile only at a clean exit, so a profiled daemon gets all the time it needs. */
function stopGraceMs(options: RunScenarioOptions): number {
  return options.profileDir ? Math.max(STOP_GRACE_MS, options.timeoutMs) : STOP_GRACE_MS;
}
const FILE_POLL_MS = 20;
/** The original is moved after the summary is written; this only waits for it, untimed. */
const MOVE_TIMEOUT_MS = 10_000;
const INPUT_NAME = 'bench';
const WARM_UP_NAME = 'warm-up';
/** Far from the measured file's IMEIs, so the warm-up's never makes one of them a duplicate. */
const WARM_UP_FIRST = 900_000_000_000;

interface Wait {
  outcome: ScenarioOutcome;
  seenAt: number | undefined;
}

/**
 * Polls for a file until it exists, the daemon dies, or the deadline passes. `seenAt` is when
 * the file was written (its mtime), not when the poll noticed it: polling every FILE_POLL_MS
 * would add half that on average to every elapsed time.
 */
async function waitForFile(path: string, daemon: DaemonProcess, deadline: number): Promise<Wait> {
  let exited = false;
  void daemon.exited.then(() => {
    exited = true;
  });
  for (;;) {
    if (existsSync(path)) return { outcome: 'completed', seenAt: Math.min(Date.now(), statSync(path).mtimeMs) };
    if (exited) return { outcome: 'daemon-exited', seenAt: undefined };
    if (Date.now() > deadline) return { outcome: 'timeout', seenAt: undefined };
    await new Promise((resolve) => setTimeout(resolve, FILE_POLL_MS));
  }
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function failedResult(scenario: Scenario, error: unknown): ScenarioResult {
  const base: Omit<ScenarioResult, 'goals'> = {
    scenario,
    outcome: 'error',
    error: error instanceof Error ? error.message : String(error),
    fileBytes: 0,
    elapsedMs: undefined,
    boundMs: boundMs(scenario),
    boundRatio: undefined,
    callsNeeded: callsNeeded(scenario),
    calls: 0,
    getimeisCalls: 0,
    maxInFlight: 0,
    rateLimited: 0,
    ordersHeld: 0,
    failedCallsLogged: 0,
    summary: undefined,
    peakRssMb: undefined,
    sampledPeakRssMb: undefined,
    idleRssMb: undefined,
    daemonCpuMs: undefined,
    simulatorCpuMs: 0,
    otherCpuMs: undefined,
    iowaitMs: undefined,
    phases: [],
    firstReplyMs: undefined,
    lastReplyMs: undefined,
    exit: undefined,
    profile: undefined,
    workspace: undefined,
  };
  return { ...base, goals: judgeGoals(base) };
}

export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  let simulator: Simulator | undefined;
  let ws: BenchWorkspace | undefined;
  let daemon: DaemonProcess | undefined;
  try {
    simulator = await startSimulator({
      latencyMs: scenario.latencyMs,
      maxInFlight: scenario.providerMaxInFlight,
      username: BENCH_USERNAME,
      apiKey: BENCH_API_KEY,
      protocol: scenario.protocol ?? 'gsmfusion',
    });
    ws = await createWorkspace(scenario.name);
    await writeDaemonConfig(ws, daemonConfig(ws, scenario, { providerUrl: simulator.url, logLevel: options.logLevel }));
    if (options.profileDir) await mkdir(options.profileDir, { recursive: true });
    daemon = DaemonProcess.start({
      configFile: ws.configFile,
      nodeFlags: options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [],
    });
    await daemon.waitForLog('watching the inbox', READY_TIMEOUT_MS);
    if (scenario.warmUp) await warmUp(ws, daemon, options.timeoutMs);
    const pages = scenario.livePages ? await openLivePages(await dashboardUrl(daemon), scenario.livePages) : undefined;
    return await measure(scenario, options, simulator, ws, daemon, pages);
  } catch (error) {
    return failedResult(scenario, error);
  } finally {
    if (daemon) await daemon.stop(stopGraceMs(options));
    await simulator?.close();
    if (ws && !options.keepWorkspace) await ws.remove();
  }
}

/** One IMEI through the daemon before the measured file (Scenario.warmUp); its summary ends the wait. */
async function warmUp(ws: BenchWorkspace, daemon: DaemonProcess, timeoutMs: number): Promise<void> {
  const staged = join(ws.staging, `${WARM_UP_NAME}.csv`);
  await writeImeiCsv(staged, 1, WARM_UP_FIRST);
  await rename(staged, join(ws.inbox, `${WARM_UP_NAME}.csv`));
  const wait = await waitForFile(join(ws.processed, `${WARM_UP_NAME}.summary.json`), daemon, Date.now() + timeoutMs);
  if (wait.outcome !== 'completed') throw new Error(`the warm-up file did not complete: ${wait.outcome}`);
}

/** Everything seen while one file went through the daemon, before any arithmetic. */
interface Observation {
  fileBytes: number;
  droppedAt: number;
  wait: Wait;
  summary: Record<string, unknown> | undefined;
  idle: ProcReading | undefined;
  last: ProcReading | undefined;
  readings: ProcReading[];
  simulatorCpuMs: number;
  machine: MachineCpu | undefined;
  stats: SimulatorStats;
  ordersHeld: number;
  exit: StopOutcome;
  logs: readonly LogLine[];
  profile: ProfileSummary | undefined;
  livePages: LivePagesResult | undefined;
}

async function measure(
  scenario: Scenario,
  options: RunScenarioOptions,
  simulator: Simulator,
  ws: BenchWorkspace,
  daemon: DaemonProcess,
  pages: LivePages | undefined,
): Promise<ScenarioResult> {
  const observation = await observe(scenario, options, simulator, ws, daemon, pages);
  await mkdir(dirname(options.logFile), { recursive: true });
  await writeFile(options.logFile, observation.logs.map((line) => `${JSON.stringify(line)}\n`).join(''));
  const measured = assemble(scenario, observation, daemon.stderr());
  return {
    ...measured,
    livePages: observation.livePages,
    workspace: options.keepWorkspace ? ws.dir : undefined,
    goals: judgeGoals(measured),
  };
}

async function observe(
  scenario: Scenario,
  options: RunScenarioOptions,
  simulator: Simulator,
  ws: BenchWorkspace,
  daemon: DaemonProcess,
  pages: LivePages | undefined,
): Promise<Observation> {
  const staged = join(ws.staging, `${INPUT_NAME}.csv`);
  const fileBytes = await writeImeiCsv(staged, scenario.imeis);
  // A warm-up's calls and order are not the measured file's.
  const statsBefore = simulator.stats();
  const ordersBefore = simulator.orders().length;
  const sampler = new ProcSampler(daemon.pid);
  sampler.start();
  const idle = await readProc(daemon.pid);
  const simCpuBefore = process.cpuUsage();
  const machineBefore = await readMachineCpu();

  const droppedAt = Date.now();
  await rename(staged, join(ws.inbox, `${INPUT_NAME}.csv`));
  const summaryPath = join(ws.processed, `${INPUT_NAME}.summary.json`);
  const wait = await waitForFile(summaryPath, daemon, droppedAt + options.timeoutMs);
  const simCpu = process.cpuUsage(simCpuBefore);
  const machine = machineCpuBetween(machineBefore, await readMachineCpu());

  const summary = wait.outcome === 'completed' ? await readJson(summaryPath) : undefined;
  if (wait.outcome === 'completed') {
    await waitForFile(join(ws.processed, `${INPUT_NAME}.csv`), daemon, Date.now() + MOVE_TIMEOUT_MS);
  }
  const livePages = pages?.close();
  const last = await readProc(daemon.pid);
  const readings = await sampler.stop();
  const after = simulator.stats();
  const stats: SimulatorStats = {
    ...after,
    placeorderCalls: after.placeorderCalls - statsBefore.placeorderCalls,
    getimeisCalls: after.getimeisCalls - statsBefore.getimeisCalls,
  };
  const ordersHeld = simulator.orders().length - ordersBefore;
  const exit = await daemon.stop(stopGraceMs(options));
  const profile = options.profileDir ? await summariseProfileDir(options.profileDir) : undefined;
  return {
    fileBytes,
    droppedAt,
    wait,
    summary,
    idle,
    last,
    readings,
    simulatorCpuMs: (simCpu.user + simCpu.system) / 1000,
    machine,
    stats,
    ordersHeld,
    exit,
    logs: daemon.logs(),
    profile,
    livePages,
  };
}

function assemble(scenario: Scenario, o: Observation, stderr: string): Omit<ScenarioResult, 'goals'> {
  const { wait, readings, idle, stats } = o;
  const timeline = fileTimeline(o.droppedAt, wait.seenAt, o.summary, o.logs);
  const replies = replySpread(timeline, o.logs);
  const elapsedMs = wait.seenAt === undefined ? undefined : wait.seenAt - (o.droppedAt + BENCH_STABILITY_MS);
  const bound = boundMs(scenario);
  const windowEnd = wait.seenAt ?? Date.now();
  const cpuEnd = readings.filter((r) => r.at <= windowEnd).pop()?.cpuMs;
  const daemonCpuMs = idle && cpuEnd !== undefined ? cpuEnd - idle.cpuMs : undefined;
  return {
    scenario,
    outcome: wait.outcome,
    error: wait.outcome === 'daemon-exited' ? `${describeExit(o.exit)}: ${stderr.trim().slice(-2000)}` : undefined,
    fileBytes: o.fileBytes,
    elapsedMs,
    boundMs: bound,
    boundRatio: elapsedMs !== undefined && bound > 0 ? elapsedMs / bound : undefined,
    callsNeeded: callsNeeded(scenario),
    calls: stats.placeorderCalls,
    getimeisCalls: stats.getimeisCalls,
    maxInFlight: stats.maxInFlight,
    rateLimited: stats.rateLimited,
    ordersHeld: o.ordersHeld,
    failedCallsLogged: o.logs.filter((line) => line.msg === 'placeorder call failed').length,
    summary: summaryFigures(o.summary),
    peakRssMb: o.last ? o.last.hwmKb / 1024 : undefined,
    sampledPeakRssMb: readings.length > 0 ? readings.reduce((m, r) => Math.max(m, r.rssKb), 0) / 1024 : undefined,
    idleRssMb: idle ? idle.rssKb / 1024 : undefined,
    daemonCpuMs,
    simulatorCpuMs: o.simulatorCpuMs,
    otherCpuMs:
      o.machine && daemonCpuMs !== undefined ? Math.max(0, o.machine.busyMs - daemonCpuMs - o.simulatorCpuMs) : undefined,
    iowaitMs: o.machine?.iowaitMs,
    phases: measurePhases(timeline, readings),
    firstReplyMs: replies.first,
    lastReplyMs: replies.last,
    exit: { code: o.exit.code, signal: o.exit.signal, killed: o.exit.killed, stopMs: o.exit.stopMs },
    profile: o.profile,
    workspace: undefined,
  };
}
