/**
 * What the kernel says about the daemon: resident memory (`/proc/PID/status`) and CPU time
 * (`/proc/PID/stat`, all threads), sampled on a timer so each phase can be given its share.
 * Linux only; elsewhere every reading is undefined and the benchmark reports no memory figures.
 */
import { readFile } from 'node:fs/promises';

/** `/proc/PID/stat` counts CPU time in clock ticks; 100 per second on every Linux we run on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcReading {
  /** Epoch ms. */
  at: number;
  /** Resident set now, kB. */
  rssKb: number;
  /** Peak resident set so far (`VmHWM`), kB. */
  hwmKb: number;
  /** User + system CPU of all threads so far, ms. */
  cpuMs: number;
}

function statusField(status: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
}

/** CPU ms from `/proc/PID/stat`: utime and stime are fields 14 and 15, counted after the `(comm)`. */
function cpuMsOf(stat: string): number | undefined {
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterComm[0] is field 3 (state), so field n is afterComm[n - 3].
  const utime = Number(afterComm[11]);
  const stime = Number(afterComm[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export async function readProc(pid: number): Promise<ProcReading | undefined> {
  try {
    const [status, stat] = await Promise.all([
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
    ]);
    const rssKb = statusField(status, 'VmRSS');
    const hwmKb = statusField(status, 'VmHWM');
    const cpuMs = cpuMsOf(stat);
    if (rssKb === undefined || hwmKb === undefined || cpuMs === undefined) return undefined;
    return { at: Date.now(), rssKb, hwmKb, cpuMs };
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/** Samples a process every `intervalMs` (default 100) until `stop`. */
export class ProcSampler {
  private readonly readings: ProcReading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.sampleNow();
    this.timer = setInterval(() => this.sampleNow(), this.intervalMs);
  }

  /** Takes one last reading and stops; returns every reading in time order. */
  async stop(): Promise<ProcReading[]> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sampleNow();
    await this.pending;
    return [...this.readings];
  }

  private sampleNow(): void {
    this.pending = this.pending.then(async () => {
      const reading = await readProc(this.pid);
      if (reading) this.readings.push(reading);
    });
  }
}

export interface WindowUsage {
  /** Highest sampled RSS inside the window, MB. */
  peakRssMb: number | undefined;
  /** CPU spent inside the window, ms (interpolated at the edges). */
  cpuMs: number | undefined;
}

/** Peak RSS and CPU time of the daemon between two epoch-ms instants. */
export function usageBetween(readings: readonly ProcReading[], from: number, to: number): WindowUsage {
  const inside = readings.filter((r) => r.at >= from && r.at <= to);
  const peak = inside.reduce((max, r) => Math.max(max, r.rssKb), 0);
  const cpuFrom = cpuAt(readings, from);
  const cpuTo = cpuAt(readings, to);
  return {
    peakRssMb: inside.length > 0 ? peak / 1024 : undefined,
    cpuMs: cpuFrom !== undefined && cpuTo !== undefined ? Math.max(0, cpuTo - cpuFrom) : undefined,
  };
}

function cpuAt(readings: readonly ProcReading[], at: number): number | undefined {
  let before: ProcReading | undefined;
  for (const reading of readings) {
    if (reading.at <= at) {
      before = reading;
      continue;
    }
    if (!before) return reading.cpuMs;
    const share = (at - before.at) / (reading.at - before.at || 1);
    return before.cpuMs + share * (reading.cpuMs - before.cpuMs);
  }
  return before?.cpuMs;
}

/** Whole-machine CPU counters from `/proc/stat`, ms summed over all cores. */
export interface MachineCpu {
  busyMs: number;
  iowaitMs: number;
}

export async function readMachineCpu(): Promise<MachineCpu | undefined> {
  try {
    const stat = await readFile('/proc/stat', 'utf8');
    const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const [user = 0, nice = 0, system = 0, , iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const tick = 1000 / CLOCK_TICKS_PER_SECOND;
    return { busyMs: (user + nice + system + irq + softirq + steal) * tick, iowaitMs: iowait * tick };
  } catch {
    return undefined;
  }
}

export function machineCpuBetween(before: MachineCpu | undefined, after: MachineCpu | undefined): MachineCpu | undefined {
  if (!before || !after) return undefined;
  return { busyMs: after.busyMs - before.busyMs, iowaitMs: after.iowaitMs - before.iowaitMs };
}
