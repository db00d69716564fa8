import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, expect } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

/** The built CLI: `npm test` builds before it runs the tests. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export const TEST_API_KEY = 'TEST-KEY1-SECR-ET99-ABCD';
export const TEST_USER = 'reseller';

export interface Workspace {
  dir: string;
  inbox: string;
  processed: string;
  checkpoints: string;
  logFile: string;
  configFile: string;
  /** Writes the config file: these keys merged over folder paths into the temp dir. */
  writeConfig(overrides: Record<string, unknown>): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeWorkspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'imei-daemon-e2e-'));
  const ws: Workspace = {
    dir,
    inbox: join(dir, 'inbox'),
    processed: join(dir, 'processed'),
    checkpoints: join(dir, 'checkpoints'),
    logFile: join(dir, 'logs', 'imei-daemon.log'),
    configFile: join(dir, 'config.json'),
    async writeConfig(overrides) {
      const base = {
        folders: { inbox: ws.inbox, processed: ws.processed, checkpoints: ws.checkpoints },
        log: { level: 'debug', file: ws.logFile },
        watch: { stabilityMs: 200, rescanSeconds: 1 },
        // The dashboard on any free port: tests run side by side, and a daemon may hold 8470.
        web: { port: 0 },
      };
      await writeFile(ws.configFile, JSON.stringify(deepMerge(base, overrides), null, 2));
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  await mkdir(ws.inbox, { recursive: true });
  return ws;
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      typeof current === 'object' && current !== null && typeof value === 'object' && value !== null && !Array.isArray(value)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** Provider settings pointing the daemon at a test simulator. */
export function providerAt(url: string, timeoutMs = 5000): Record<string, unknown> {
  return { provider: { baseUrl: url, username: TEST_USER, apiKey: TEST_API_KEY, timeoutMs } };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = startCli(args, env);
  return child.exited;
}

export interface RunningCli {
  process: ChildProcess;
  exited: Promise<CliResult>;
  output(): string;
}

/** The environment every CLI run gets: no secrets or config file inherited from the test's shell. */
function cliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, GSMFUSION_API_KEY: '', SMTP_PASSWORD: '', IMEI_DAEMON_CONFIG: '', ...env };
}

/**
 * Runs one CLI command to completion without returning to the event loop meanwhile, so no other
 * child of this process is reaped while it runs: a daemon just killed stays a zombie throughout.
 */
export function runCliSync(args: string[], timeoutMs = 60_000): CliResult {
  const run = spawnSync(process.execPath, [CLI, ...args], { env: cliEnv({}), encoding: 'utf8', timeout: timeoutMs });
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** Starts a CLI command as a child process (the daemon, for `start`). */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, user?: { uid: number; gid: number }): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user ?? {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { process: child, exited, output: () => stdout + stderr };
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function luhnDigit(first14: string): number {
  let sum = 0;
  for (let i = 0; i < 14; i += 1) {
    let digit = Number(first14[i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** `count` distinct valid IMEIs; `seed` keeps sets of different tests apart. */
export function validImeis(count: number, seed = 0): string[] {
  const imeis: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const first14 = String(35000000000000 + seed * 1_000_000 + i);
    imeis.push(first14 + luhnDigit(first14));
  }
  return imeis;
}

export type ReportRecord = Record<string, string>;

export async function readReport(path: string): Promise<ReportRecord[]> {
  const text = await readFile(path, 'utf8');
  return parse(text, { bom: true, columns: true }) as ReportRecord[];
}

export async function readSummary(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/** Everything the daemon logged to its rotated log files (pino-roll numbers them). */
export async function readLogs(ws: Workspace): Promise<string> {
  const dir = join(ws.logFile, '..');
  if (!existsSync(dir)) return '';
  const names = (await readdir(dir)).filter((name) => name.endsWith('.log')).sort();
  if (names.length === 0) throw new Error(`no log file in ${dir}`);
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  return texts.join('');
}

/** The first rotated log file, for its permissions. */
export async function firstLogFile(ws: Workspace): Promise<string> {
  const dir = join(ws.logFile, '..');
  const name = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort()[0];
  if (!name) throw new Error(`no log file in ${dir}`);
  return join(dir, name);
}

export function waitForFile(path: string, timeoutMs = 30_000): Promise<true> {
  return waitFor(() => existsSync(path), path, timeoutMs);
}

export interface SimulatedWorkspace {
  ws: Workspace;
  sim: Simulator;
}

/**
 * Gives each test of the calling `describe` a fresh temp workspace and a simulator on port 0
 * that knows the test credentials; both are closed after the test.
 */
export function useSimulatedWorkspace(options: SimulatorOptions = {}): SimulatedWorkspace {
  const env: Partial<SimulatedWorkspace> = {};
  beforeEach(async () => {
    env.ws = await makeWorkspace();
    env.sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, ...options });
  });
  afterEach(async () => {
    await env.sim?.close();
    await env.ws?.cleanup();
  });
  return env as SimulatedWorkspace;
}

export interface WorkspaceWithSimulator {
  ws: Workspace;
  /** Starts this test's simulator (test credentials, these options); closed after the test. */
  simulator(options?: SimulatorOptions): Promise<Simulator>;
}

/**
 * Gives each test of the calling `describe` a fresh temp workspace, and a simulator of its own
 * options when it asks for one; both are closed after the test.
 */
export function useWorkspace(): WorkspaceWithSimulator {
  let started: Simulator | undefined;
  const env = {
    ws: undefined as unknown as Workspace,
    async simulator(options: SimulatorOptions = {}): Promise<Simulator> {
      started = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, ...options });
      return started;
    },
  };
  beforeEach(async () => {
    env.ws = await makeWorkspace();
  });
  afterEach(async () => {
    await started?.close();
    started = undefined;
    await env.ws.cleanup();
  });
  return env;
}

/** Runs `start` until `NAME.summary.json` says every row is final, then stops it; returns the report. */
export async function runUntilFinal(ws: Workspace, name: string, timeoutMs = 90_000): Promise<ReportRecord[]> {
  const daemon = startCli(['start', '--config', ws.configFile]);
  try {
    const summaryPath = join(ws.processed, `${name}.summary.json`);
    await waitForFile(summaryPath, timeoutMs);
    await waitFor(async () => (await readSummary(summaryPath)).final === true, `${name} final`, timeoutMs);
  } finally {
    daemon.process.kill('SIGTERM');
  }
  const exit = await daemon.exited;
  expect(exit.code, exit.stderr).toBe(0);
  return readReport(join(ws.processed, `${name}.report.csv`));
}

/** Every row has the order the provider holds for its IMEI, and a Completed row its own result. */
export function expectEveryRowWithItsOwnOrder(report: readonly ReportRecord[], sim: Simulator): void {
  const held = new Map(sim.orders().map((order) => [order.imei, order.orderId]));
  const wrong = report.filter((row) => row['ORDER ID'] !== held.get(row['IMEI NO.'] ?? ''));
  expect(wrong.slice(0, 3).map((row) => `${row['IMEI NO.']} ${row.STATUS} ${row['ORDER ID']}: ${row.NOTE}`)).toEqual([]);
  for (const row of report.filter((r) => r.STATUS === 'Completed')) expect(row.CODE).toContain(`IMEI Number: ${row['IMEI NO.']}`);
}

