/** The report writer: `NAME.report.csv`, `NAME.summary.json`, and CODE parsed into columns. */

export {
  REPORT_COLUMNS,
  REPORT_STATUSES,
  reportRowCells,
  type ReportColumn,
  type ReportRow,
  type ReportStatus,
} from './columns.js';
export { defuseFormula, startsLikeFormula } from './formula.js';
export { codePairs, emptyCodeFields, parseCodeFields, type CodeFields } from './code-fields.js';
export { codeCellText, plainCodeText } from './code-text.js';
export { formatCredits } from './credits.js';
export { writeReport, type WriteReportResult } from './write-report.js';
export { temporaryPathFor, writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
export {
  buildSummary,
  durationMs,
  orderSuccessRate,
  successRate,
  type FileSummary,
  type OrderCounts,
  type SummaryInput,
} from './summary.js';
