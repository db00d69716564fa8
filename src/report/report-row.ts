import type { EarlierRowSource, ReportSource } from '../store/report-queries.js';
import type { ReportSourceRow, RowState } from '../store/types.js';
import type { ProviderStatus } from '../provider/types.js';
import { codeFieldsOfPlainText, emptyCodeFields, type CodeFields } from './code-fields.js';
import { codeCellOfPlainText, codeCellText, plainCodeText } from './code-text.js';
import type { ReportRow, ReportStatus } from './columns.js';
import { formatCredits } from './credits.js';
import { providerDateTime } from '../timestamps.js';

/** The STATUS a row in `state` shows (daemon-contract.md, the STATUS table). */
function statusOf(state: RowState, orderStatus: ProviderStatus | null, stillChecking = true): ReportStatus {
  switch (state) {
    case 'invalid':
      return 'Invalid';
    case 'duplicate':
      return 'Duplicate';
    case 'failed':
      return 'Failed';
    // A row whose call never answered may have been ordered: never shown as Failed. While the
    // daemon establishes what happened it is Checking; Unconfirmed only once the provider is
    // known to hold an order whose id could not be found; Unknown if no answer came in time.
    case 'unknown':
      return stillChecking ? 'Checking' : 'Unknown';
    case 'recovering':
      return 'Checking';
    case 'unconfirmed':
      return 'Unconfirmed';
    case 'queued':
    case 'sending':
      return 'Queued';
    case 'ordered':
      return orderStatus ?? 'Pending';
  }
}

/** The STATUS a row shows (daemon-contract.md, the STATUS table). */
export function reportStatus(row: ReportSourceRow): ReportStatus {
  return statusOf(row.state, row.orderStatus, row.stillChecking);
}

/**
 * Rejection reasons the provider sends as codes, in plain words. Compared lower-cased with
 * anything but letters and digits removed, so `Invalid_IMEI`, `INVALID IMEI` and
 * `invalid-imei` are one reason.
 */
const REJECTION_REASONS: ReadonlyMap<string, string> = new Map([
  ['invalidimei', 'the IMEI failed its check'],
  ['wrongimei', 'the IMEI failed its check'],
  ['imeinotfound', 'the provider found no record of this IMEI'],
  ['notfound', 'the provider found no record of this IMEI'],
  ['nodata', 'the provider found no record of this IMEI'],
  ['notsupported', 'the service does not support this device'],
  ['blacklisted', 'the device is blacklisted'],
]);

/** The NOTE of a Rejected order: the provider's reason in plain words, the reason as sent. */
export function rejectionNote(code: string): string {
  const reason = codeCellText(code);
  if (reason === '') return 'the provider rejected the order without giving a reason';
  const words = REJECTION_REASONS.get(reason.toLowerCase().replace(/[^a-z0-9]/g, ''));
  return words === undefined
    ? `the provider rejected the order: ${reason}`
    : `the provider rejected the order: ${words} (${reason})`;
}

/** The earlier row's state in a few words: `Completed`, `Rejected (Invalid_IMEI)`, `Failed`. */
function earlierOutcome(earlier: EarlierRowSource): string {
  const status = statusOf(earlier.state, earlier.orderStatus);
  const reason = status === 'Rejected' ? codeCellText(earlier.orderCode ?? '') : '';
  return reason === '' ? status : `${status} (${reason})`;
}

/**
 * The NOTE of a duplicate, written at render time from the earlier row as it stands now, so the
 * note follows that order to its result. The stored note is the fallback (and is what intake
 * wrote for a repeat of a whole file, which has no single earlier row).
 */
function duplicateNote(row: ReportSource, earlier: EarlierRowSource): string {
  const outcome = earlierOutcome(earlier);
  if (row.fileId !== undefined && earlier.fileId === row.fileId) {
    const order = earlier.orderId ? `order ${earlier.orderId}: ` : '';
    return `same IMEI as row ${earlier.line} of this file (${order}${outcome})`;
  }
  const order = earlier.orderId ? `order ${earlier.orderId}` : 'an order';
  return `already sent: ${order} from ${earlier.file}, row ${earlier.line}: ${outcome}`;
}

/** Plain NOTE text: the row's own, then what its order adds. */
function noteOf(row: ReportSource): string {
  if (row.state === 'duplicate' && row.earlier) return duplicateNote(row, row.earlier);
  // Most rows: an order that is neither Rejected nor annotated adds nothing to the row's note.
  if (row.state !== 'ordered' || (row.orderStatus !== 'Rejected' && !row.orderNote)) return row.note;
  const parts = [row.note];
  if (row.state === 'ordered' && row.orderStatus === 'Rejected') parts.push(rejectionNote(row.orderCode ?? ''));
  if (row.state === 'ordered' && row.orderNote) parts.push(row.orderNote);
  return parts.filter((part) => part !== '').join('; ');
}

/** The columns of a row without a result, shared: nothing writes to them. */
const NO_FIELDS: Readonly<CodeFields> = Object.freeze(emptyCodeFields());

/**
 * The result the row shows, as the CODE cell reads and the columns read out of it: its own
 * order's, or for a duplicate the earlier order's (the provider refused to check that phone
 * again, so the earlier answer is the answer).
 */
function resultOf(row: ReportSource): { code: string; fields: Readonly<CodeFields> } {
  if (row.state === 'ordered') {
    const code = row.orderCode ?? '';
    return row.orderStatus === 'Completed' ? completedResult(code) : { code: codeCellText(code), fields: NO_FIELDS };
  }
  const earlier = row.state === 'duplicate' ? row.earlier : undefined;
  if (earlier?.state === 'ordered' && earlier.orderStatus === 'Completed') return completedResult(earlier.orderCode ?? '');
  return { code: '', fields: NO_FIELDS };
}

/** CODE and its columns, from one pass of plainCodeText (the costly part for HTML codes). */
function completedResult(code: string): { code: string; fields: CodeFields } {
  const plain = plainCodeText(code);
  return { code: codeCellOfPlainText(plain), fields: codeFieldsOfPlainText(plain) };
}

/**
 * CREDITS for a price, remembering the last one: a file's rows name one service or a few, so
 * nearly every row asks for the price the row before it asked for.
 */
let lastPrice: string | undefined;
let lastCredits = '';
function creditsFor(price: string): string {
  if (price !== lastPrice) {
    lastCredits = formatCredits(price);
    lastPrice = price;
  }
  return lastCredits;
}

/** ORDER DATE: the provider's `requestedat`, else when the daemon placed the order. */
function orderDateOf(row: ReportSourceRow): string {
  if (row.state !== 'ordered') return '';
  if (row.requestedAt) return row.requestedAt;
  return row.placedAt ? providerDateTime(row.placedAt) : '';
}

/** One report line from one stored row. Pure; formula defusing happens when it is written. */
export function toReportRow(row: ReportSource): ReportRow {
  const { code, fields } = resultOf(row);
  const reportRow: ReportRow = {
    service: row.serviceTitle ?? row.serviceId,
    imei: row.imei ?? row.rawImei,
    credits: row.state === 'ordered' ? creditsFor(row.servicePrice ?? '') : '',
    status: reportStatus(row),
    code,
    imei2: fields.imei2,
    carrier: fields.carrier,
    simlock: fields.simlock,
    model: fields.model,
    fmi: fields.fmi,
    orderDate: orderDateOf(row),
    orderId: row.orderId ?? '',
    row: row.line,
    note: noteOf(row),
  };
  if (row.inputCells !== undefined) reportRow.inputCells = row.inputCells;
  return reportRow;
}
