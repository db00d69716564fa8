import type { FileSummary } from './summary.js';

const count = new Intl.NumberFormat('en-US');

function plural(n: number, word: string, words = `${word}s`): string {
  return `${count.format(n)} ${n === 1 ? word : words}`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** The one line users read per finished file: `orders.csv: 6,000 rows in 8.3 s: 5,950 ordered (99.2%), ...`. */
export function formatSummaryLine(summary: FileSummary): string {
  // Refused whole: nothing was read. Read in part: the rows read were sent, and the error says why the rest was not.
  if (summary.error && summary.rows === 0) return `${summary.file}: refused: ${summary.error}`;
  const took = summary.durationMs === null ? '' : ` in ${seconds(summary.durationMs)}`;
  const parts = [`${count.format(summary.accepted)} ordered (${(summary.successRate * 100).toFixed(1)}%)`];
  if (summary.duplicates > 0) parts.push(plural(summary.duplicates, 'duplicate'));
  if (summary.invalid > 0) parts.push(`${count.format(summary.invalid)} invalid`);
  if (summary.failed > 0) parts.push(`${count.format(summary.failed)} failed (retried on the retry schedule)`);
  if ((summary.checking ?? 0) > 0) parts.push(`${count.format(summary.checking ?? 0)} being checked`);
  if (summary.unconfirmed > 0) parts.push(`${count.format(summary.unconfirmed)} unconfirmed (see NOTE)`);
  if ((summary.unknown ?? 0) > 0) parts.push(`${count.format(summary.unknown ?? 0)} unknown (see NOTE)`);
  const repeat = summary.repeatOf ? ` (same file as ${summary.repeatOf})` : '';
  const partial = summary.error ? `; read in part: ${summary.error}` : '';
  return `${summary.file}: ${plural(summary.rows, 'row')}${took}: ${parts.join(', ')}${repeat}${partial}`;
}

export interface FileProgress {
  file: string;
  rows: number;
  done: number;
  /** ISO time the file was taken in. */
  startedAt: string | null;
}

/**
 * `orders.csv: 3,200 of 6,000 rows (53%), 410 rows/s, about 7 s left`. With no daemon running
 * (`running` false) nothing moves, so no rate or time left: `..., waiting for the daemon to start`.
 */
export function formatProgressLine(progress: FileProgress, now: number, running = true): string {
  const share = progress.rows === 0 ? 100 : Math.floor((progress.done / progress.rows) * 100);
  const base = `${progress.file}: ${count.format(progress.done)} of ${plural(progress.rows, 'row')} (${share}%)`;
  if (!running) return `${base}, waiting for the daemon to start`;
  const elapsedMs = progress.startedAt ? now - Date.parse(progress.startedAt) : 0;
  if (elapsedMs <= 0 || progress.done === 0) return base;
  const rate = progress.done / (elapsedMs / 1000);
  const left = (progress.rows - progress.done) / rate;
  return `${base}, ${count.format(Math.round(rate))} rows/s, about ${seconds(left * 1000)} left`;
}

/** A text progress bar for terminals: `[#########...........]`. */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
