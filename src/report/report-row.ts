import type { ReportSourceRow } from '../store/types.js';
import { parseCodeFields } from './code-fields.js';
import { codeCellText } from './code-text.js';
import type { ReportRow, ReportStatus } from './columns.js';
import { formatCredits } from './credits.js';

/** The STATUS a row shows (daemon-contract.md, the STATUS table). */
export function reportStatus(row: ReportSourceRow): ReportStatus {
  switch (row.state) {
    case 'invalid':
      return 'Invalid';
    case 'duplicate':
      return 'Duplicate';
    case 'failed':
      return 'Failed';
    // A row whose call never answered may have been ordered: never shown as Failed.
    case 'unknown':
    case 'unconfirmed':
      return 'Unconfirmed';
    case 'queued':
    case 'sending':
      return 'Queued';
    case 'ordered':
      return row.orderStatus ?? 'Pending';
  }
}

/** `2026-11-28T12:00:01.123Z` -> `2026-11-28 12:00:01`, the provider's own date shape. */
function providerDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** One report line from one stored row. Pure; formula defusing happens when it is written. */
export function toReportRow(row: ReportSourceRow): ReportRow {
  const code = row.orderCode ?? '';
  const fields = row.state === 'ordered' && row.orderStatus === 'Completed' ? parseCodeFields(code) : undefined;
  const orderDate = row.requestedAt ?? (row.placedAt ? providerDate(row.placedAt) : '');
  return {
    service: row.serviceTitle ?? row.serviceId,
    imei: row.imei ?? row.rawImei,
    credits: row.state === 'ordered' ? formatCredits(row.servicePrice ?? '') : '',
    status: reportStatus(row),
    code: codeCellText(code),
    imei2: fields?.imei2 ?? '',
    carrier: fields?.carrier ?? '',
    simlock: fields?.simlock ?? '',
    model: fields?.model ?? '',
    fmi: fields?.fmi ?? '',
    orderDate: row.state === 'ordered' ? orderDate : '',
    orderId: row.orderId ?? '',
    row: row.line,
    note: row.note,
  };
}
