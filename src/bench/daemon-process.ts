/**
 * The real daemon as a child process (`node dist/cli.js start --config FILE`), as a user runs
 * it. Its stdout JSON log lines are parsed as they arrive: they tell when it is ready and when
 * each step of a file finished.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI, next to this file's compiled form (dist/bench/ -> dist/cli.js). */
export const CLI_PATH = fileURLToPath(new URL('../cli.js', import.meta.url));

/** One pino line; `time` is the ISO timestamp the daemon wrote. */
export interface LogLine {
  level: string;
  time: string;
  msg: string;
  [key: string]: unknown;
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopOutcome extends DaemonExit {
  /** SIGTERM was not enough within the grace period. */
  killed: boolean;
  /** From SIGTERM to exit. */
  stopMs: number;
}

export interface StartDaemonOptions {
  configFile: string;
  /** Flags for node itself, before the script (e.g. `--cpu-prof`). Default none. */
  nodeFlags?: readonly string[];
}

/** Children still running, so a crash of the benchmark never leaves a daemon behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class DaemonProcess {
  readonly pid: number;
  readonly exited: Promise<DaemonExit>;
  private readonly lines: LogLine[] = [];
  private readonly waiters = new Set<() => void>();
  private partial = '';
  private stderrText = '';
  private exit: DaemonExit | undefined;

  private constructor(private readonly child: ChildProcess) {
    // A failed spawn also emits 'error'; the missing pid below already reports it.
    child.once('error', () => undefined);
    if (child.pid === undefined) throw new Error('the daemon did not start');
    this.pid = child.pid;
    live.add(child);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.take(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      // Only the end matters (a crash's message); keep it bounded.
      this.stderrText = (this.stderrText + chunk).slice(-20_000);
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
  }

  static start(options: StartDaemonOptions): DaemonProcess {
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), CLI_PATH, 'start', '--config', options.configFile], {
      // The config file is the whole truth: no key, URL or config path from the environment.
      env: {
        ...process.env,
        GSMFUSION_BASE_URL: '',
        GSMFUSION_USERNAME: '',
        GSMFUSION_API_KEY: '',
        SMTP_PASSWORD: '',
        IMEI_DAEMON_CONFIG: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DaemonProcess(child);
  }

  logs(): readonly LogLine[] {
    return this.lines;
  }

  stderr(): string {
    return this.stderrText;
  }

  find(msg: string): LogLine | undefined {
    return this.lines.find((line) => line.msg === msg);
  }

  /** Resolves with the first line whose `msg` is `msg`; rejects on exit or after `timeoutMs`. */
  waitForLog(msg: string, timeoutMs: number): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const line = this.find(msg);
        if (line) {
          done();
          resolve(line);
          return true;
        }
        if (this.exit) {
          done();
          reject(new Error(`the daemon exited (${describeExit(this.exit)}) before logging "${msg}": ${this.stderrText.trim()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the daemon did not log "${msg}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<StopOutcome> {
    if (this.exit) return { ...this.exit, killed: false, stopMs: 0 };
    const start = Date.now();
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return { ...first, killed: false, stopMs: Date.now() - start };
    this.child.kill('SIGKILL');
    return { ...(await this.exited), killed: true, stopMs: Date.now() - start };
  }

  private take(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) {
      const line = parseLogLine(part);
      if (line) this.lines.push(line);
    }
    if (parts.length > 0) this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function parseLogLine(text: string): LogLine | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LogLine>;
    if (typeof value.msg !== 'string' || typeof value.time !== 'string') return undefined;
    return value as LogLine;
  } catch {
    return undefined;
  }
}

export function describeExit(exit: DaemonExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
