/**
 * A file's way through the daemon cut into steps, at instants the daemon recorded itself:
 * `startedAt` (the file is taken, before hashing), the `file read` log line (rows stored,
 * batches planned), `finishedAt` (every batch settled, reporting begins), and the summary
 * appearing on disk.
 */
import type { LogLine } from './daemon-process.js';
import { usageBetween, type ProcReading } from './proc-sampler.js';
import type { PhaseMeasure, SummaryFigures } from './results.js';

export interface FileTimeline {
  /** The input was renamed into the inbox. */
  droppedAt: number;
  /** `summary.startedAt`. */
  takenAt: number | undefined;
  /** The `file read` log line. */
  readAt: number | undefined;
  /** `summary.finishedAt`. */
  settledAt: number | undefined;
  /** The benchmark saw the summary. */
  summaryAt: number | undefined;
}

function epoch(iso: unknown): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

export function fileTimeline(
  droppedAt: number,
  summaryAt: number | undefined,
  summary: Record<string, unknown> | undefined,
  logs: readonly LogLine[],
): FileTimeline {
  return {
    droppedAt,
    takenAt: epoch(summary?.startedAt),
    // After the drop: a warm-up file (Scenario.warmUp) was read before it.
    readAt: epoch(logs.find((line) => line.msg === 'file read' && Date.parse(line.time) >= droppedAt)?.time),
    settledAt: epoch(summary?.finishedAt),
    summaryAt,
  };
}

const STEPS: readonly { name: PhaseMeasure['name']; covers: string; from: keyof FileTimeline; to: keyof FileTimeline }[] = [
  { name: 'watch', covers: 'rename -> file taken (stability wait, watcher)', from: 'droppedAt', to: 'takenAt' },
  { name: 'intake', covers: 'hash, parse, validate, insert rows, dedupe, plan batches', from: 'takenAt', to: 'readAt' },
  { name: 'submit', covers: 'all placeorder calls and their bookkeeping', from: 'readAt', to: 'settledAt' },
  { name: 'report', covers: 'report.csv + summary.json written', from: 'settledAt', to: 'summaryAt' },
];

export function measurePhases(timeline: FileTimeline, readings: readonly ProcReading[]): PhaseMeasure[] {
  const phases: PhaseMeasure[] = [];
  for (const step of STEPS) {
    const from = timeline[step.from];
    const to = timeline[step.to];
    if (from === undefined || to === undefined) continue;
    const usage = usageBetween(readings, from, to);
    phases.push({ name: step.name, covers: step.covers, ms: to - from, cpuMs: usage.cpuMs, peakRssMb: usage.peakRssMb });
  }
  return phases;
}

/** With `--log-level debug`: ms from `file read` to the first and the last `placeorder replied`. */
export function replySpread(timeline: FileTimeline, logs: readonly LogLine[]): { first?: number; last?: number } {
  if (timeline.readAt === undefined) return {};
  const replies = logs
    .filter((line) => line.msg === 'placeorder replied')
    .map((line) => Date.parse(line.time))
    .filter((at) => at >= timeline.droppedAt);
  if (replies.length === 0) return {};
  const first = replies.reduce((a, b) => Math.min(a, b));
  const last = replies.reduce((a, b) => Math.max(a, b));
  return { first: first - timeline.readAt, last: last - timeline.readAt };
}

function numberField(summary: Record<string, unknown>, key: string): number | undefined {
  const value = summary[key];
  return typeof value === 'number' ? value : undefined;
}

export function summaryFigures(summary: Record<string, unknown> | undefined): SummaryFigures | undefined {
  if (!summary) return undefined;
  return {
    rows: numberField(summary, 'rows'),
    accepted: numberField(summary, 'accepted'),
    failed: numberField(summary, 'failed'),
    unconfirmed: numberField(summary, 'unconfirmed'),
    apiCalls: numberField(summary, 'apiCalls'),
    final: typeof summary.final === 'boolean' ? summary.final : undefined,
    error: typeof summary.error === 'string' ? summary.error : undefined,
  };
}
