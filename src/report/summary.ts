/**
 * `NAME.summary.json` (daemon-contract.md, "Output"): counts for one input file, for scripts and
 * for the alert threshold. Pure: the caller counts, this derives and shapes.
 */

export interface FileSummary {
  file: string;
  service: string;
  rows: number;
  accepted: number;
  duplicates: number;
  invalid: number;
  failed: number;
  unconfirmed: number;
  /** accepted / rows, 0 when rows is 0, rounded to 4 decimals. */
  successRate: number;
  apiCalls: number;
  /** ISO 8601. */
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** True once every row has a final state. */
  final: boolean;
  simulated: boolean;
  /** Only when the whole file was rejected (empty, unreadable, too large, no IMEI column...). */
  error?: string;
  // Additions to the contract (it allows them):
  /** Rows without a final state yet (queued, sent, or ordered and not Completed/Rejected). */
  pending?: number;
  /** Rows whose call outcome is still being established (report STATUS `Checking`). */
  checking?: number;
  /** Rows whose call outcome could not be established and that are no longer sent (`Unknown`). */
  unknown?: number;
  /** The report's file name, next to this summary. */
  reportFile?: string;
  /** For a file whose bytes were already processed: the earlier file's report. */
  repeatOf?: string;
}

/** The summary's facts before the two derived ones, `successRate` and `durationMs`. */
export type SummaryInput = Omit<
  FileSummary,
  'successRate' | 'durationMs' | 'error' | 'pending' | 'checking' | 'unknown' | 'reportFile' | 'repeatOf'
> & {
  error?: string | undefined;
  pending?: number | undefined;
  checking?: number | undefined;
  unknown?: number | undefined;
  reportFile?: string | undefined;
  repeatOf?: string | undefined;
};

/**
 * Builds the summary with the contract's keys first and in the contract's order (JSON keeps
 * insertion order, and people read these files). Optional keys appear only when given.
 */
export function buildSummary(input: SummaryInput): FileSummary {
  const summary: FileSummary = {
    file: input.file,
    service: input.service,
    rows: input.rows,
    accepted: input.accepted,
    duplicates: input.duplicates,
    invalid: input.invalid,
    failed: input.failed,
    unconfirmed: input.unconfirmed,
    successRate: successRate(input.accepted, input.rows),
    apiCalls: input.apiCalls,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    durationMs: durationMs(input.startedAt, input.finishedAt),
    final: input.final,
    simulated: input.simulated,
  };
  if (input.error !== undefined && input.error !== '') summary.error = input.error;
  if (input.pending !== undefined) summary.pending = input.pending;
  if (input.checking !== undefined) summary.checking = input.checking;
  if (input.unknown !== undefined) summary.unknown = input.unknown;
  if (input.reportFile !== undefined) summary.reportFile = input.reportFile;
  if (input.repeatOf !== undefined) summary.repeatOf = input.repeatOf;
  return summary;
}

/** accepted / rows rounded to 4 decimals; 0 for an empty file rather than NaN. */
export function successRate(accepted: number, rows: number): number {
  if (rows <= 0) return 0;
  return Math.round((accepted / rows) * 10_000) / 10_000;
}

/** Milliseconds between two ISO timestamps; null until both exist and make sense. */
export function durationMs(startedAt: string | null, finishedAt: string | null): number | null {
  if (startedAt === null || finishedAt === null) return null;
  const elapsed = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(elapsed) && elapsed >= 0 ? elapsed : null;
}
