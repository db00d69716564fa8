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
  /**
   * The rate alerts are judged on: of the rows the daemon was asked to order (all but Duplicate
   * and Invalid), the share not Failed, Unconfirmed or Unknown (rows still being checked are not
   * failures); 1 when no row was to be ordered. Rounded to 4 decimals. Always written.
   */
  orderSuccessRate?: number;
  /** The report's file name, next to this summary. */
  reportFile?: string;
  /** The report as an Excel workbook (IMEIs as text), next to this summary. */
  reportWorkbook?: string;
  /** For a file whose bytes were already processed: the earlier file's report. */
  repeatOf?: string;
  /** Dropped in `inbox/recheck/`: ordered again on purpose. Only when true. */
  recheck?: boolean;
}

/** The summary's facts before the two derived ones, `successRate` and `durationMs`. */
export type SummaryInput = Omit<
  FileSummary,
  | 'successRate'
  | 'durationMs'
  | 'error'
  | 'pending'
  | 'checking'
  | 'unknown'
  | 'orderSuccessRate'
  | 'reportFile'
  | 'reportWorkbook'
  | 'repeatOf'
  | 'recheck'
> & {
  error?: string | undefined;
  pending?: number | undefined;
  checking?: number | undefined;
  unknown?: number | undefined;
  reportFile?: string | undefined;
  reportWorkbook?: string | undefined;
  repeatOf?: string | undefined;
  recheck?: boolean | undefined;
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
  // The first addition, always written: the rate alerts use, next to the contract's.
  summary.orderSuccessRate = orderSuccessRate(input);
  if (input.pending !== undefined) summary.pending = input.pending;
  if (input.checking !== undefined) summary.checking = input.checking;
  if (input.unknown !== undefined) summary.unknown = input.unknown;
  if (input.reportFile !== undefined) summary.reportFile = input.reportFile;
  if (input.reportWorkbook !== undefined) summary.reportWorkbook = input.reportWorkbook;
  if (input.repeatOf !== undefined) summary.repeatOf = input.repeatOf;
  if (input.recheck === true) summary.recheck = true;
  return summary;
}

/** The counts `orderSuccessRate` needs. */
export type OrderCounts = Pick<FileSummary, 'rows' | 'duplicates' | 'invalid' | 'failed' | 'unconfirmed'> & {
  unknown?: number | undefined;
};

/**
 * The share of the rows the daemon was asked to order that did not fail (see
 * `FileSummary.orderSuccessRate`). A file of IMEIs ordered before is all Duplicate: nothing
 * failed, so 1, not the 0 that `successRate` gives it.
 */
export function orderSuccessRate(counts: OrderCounts): number {
  const tried = counts.rows - counts.duplicates - counts.invalid;
  if (tried <= 0) return 1;
  const failures = counts.failed + counts.unconfirmed + (counts.unknown ?? 0);
  return Math.round(((tried - failures) / tried) * 10_000) / 10_000;
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
