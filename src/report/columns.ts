/**
 * The shape of `NAME.report.csv` (daemon-contract.md, "Output"). The first eleven columns are
 * the provider's Advanced Export, in its order, because users already keep spreadsheets in that
 * shape; ORDER ID, ROW and NOTE are ours.
 */

export const REPORT_COLUMNS = [
  'SERVICE',
  'IMEI NO.',
  'CREDITS',
  'STATUS',
  'CODE',
  'IMEI 2',
  'CARRIER',
  'SIMLOCK',
  'MODEL',
  'FMI',
  'ORDER DATE',
  'ORDER ID',
  'ROW',
  'NOTE',
] as const;

export type ReportColumn = (typeof REPORT_COLUMNS)[number];

/**
 * STATUS of a row. The first four are the provider's state of an order; the rest are the
 * daemon's. `Queued` and `Checking` are additions to the contract's table: `Queued` marks a row
 * not sent yet, `Checking` a row whose call outcome is still being established (resubmitted to
 * ask the provider, or its order id looked up); both are only seen while a file is worked on.
 */
export type ReportStatus =
  | 'Pending'
  | 'In Process'
  | 'Completed'
  | 'Rejected'
  | 'Invalid'
  | 'Duplicate'
  | 'Failed'
  | 'Unconfirmed'
  | 'Unknown'
  | 'Checking'
  | 'Queued';

export const REPORT_STATUSES: readonly ReportStatus[] = [
  'Pending',
  'In Process',
  'Completed',
  'Rejected',
  'Invalid',
  'Duplicate',
  'Failed',
  'Unconfirmed',
  'Unknown',
  'Checking',
  'Queued',
];

/** One line of the report, already in display form (strings as they should appear). */
export interface ReportRow {
  service: string;
  imei: string;
  credits: string;
  status: ReportStatus;
  code: string;
  imei2: string;
  carrier: string;
  simlock: string;
  model: string;
  fmi: string;
  orderDate: string;
  orderId: string;
  /** The input line number, so a user can find the row in the file they dropped. */
  row: number;
  note: string;
  /** The input's other columns (customer, model...), shown after ours (see report-layout.ts). */
  inputCells?: readonly string[];
}

/**
 * The cells of one row in REPORT_COLUMNS order. Kept next to REPORT_COLUMNS so the two cannot
 * drift apart unnoticed.
 */
export function reportRowCells(row: ReportRow): string[] {
  return [
    row.service,
    row.imei,
    row.credits,
    row.status,
    row.code,
    row.imei2,
    row.carrier,
    row.simlock,
    row.model,
    row.fmi,
    row.orderDate,
    row.orderId,
    String(row.row),
    row.note,
  ];
}
