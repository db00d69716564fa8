import type { ResolvedConfig } from '../config/load.js';
import { checkImei } from '../intake/imei.js';
import { parseCodeFields, type CodeFields } from '../report/code-fields.js';
import { toReportRow } from '../report/report-row.js';
import type { Db } from '../store/db.js';
import { historySourceRows, type HistorySource } from '../store/report-queries.js';
import { openStoreReadOnly, print } from './read-only.js';
import { providerDateTime } from '../timestamps.js';

/** One order (or row that never became one) the store knows for an IMEI, as `--json` prints it. */
export interface HistoryEntry {
  /** The provider's `requestedat`, else when the order was placed, else when the row last changed. */
  date: string;
  serviceId: string;
  /** The catalogue's title, when the catalogue was fetched. */
  service: string | null;
  orderId: string | null;
  /** The report's STATUS (`Completed`, `Rejected`, `Duplicate`, ...). */
  status: string;
  file: string;
  row: number;
  /** The provider's result text, plain, one line. */
  code: string;
  /** The columns read out of `code`, for a Completed order whose code has any of them. */
  result: CodeFields | null;
  note: string;
}


function hasAnyField(fields: CodeFields): boolean {
  return Object.values(fields).some((value) => value !== '');
}

function toEntry(source: HistorySource): HistoryEntry {
  const shown = toReportRow(source);
  const fields = shown.status === 'Completed' ? parseCodeFields(source.orderCode ?? '') : undefined;
  return {
    date: shown.orderDate || providerDateTime(source.updatedAt),
    serviceId: source.serviceId,
    service: source.serviceTitle,
    orderId: source.orderId,
    status: shown.status,
    file: source.file,
    row: source.line,
    // A duplicate's report row repeats the earlier order's result; here that order has its own entry.
    code: source.state === 'ordered' ? shown.code : '',
    result: fields && hasAnyField(fields) ? fields : null,
    note: shown.note,
  };
}

/**
 * The IMEI as the store keys it. A value intake would accept is normalised the same way
 * (dashes, spaces, `'` removed); anything else is looked up as typed, which finds the rows
 * intake refused with that text.
 */
function lookupKeys(typed: string): { imei: string; raw: string } {
  const check = checkImei(typed);
  return { imei: check.ok ? check.imei : typed.trim(), raw: typed };
}

/** Every order and row the store holds for one IMEI, across files, oldest first. */
export function readHistory(db: Db, typed: string): HistoryEntry[] {
  const { imei, raw } = lookupKeys(typed);
  return historySourceRows(db, imei, raw).map(toEntry);
}

function formatResult(entry: HistoryEntry): string {
  if (entry.result) {
    const { model, carrier, simlock, fmi, imei2 } = entry.result;
    const named: [string, string][] = [
      ['MODEL', model],
      ['CARRIER', carrier],
      ['SIMLOCK', simlock],
      ['FMI', fmi],
      ['IMEI 2', imei2],
    ];
    return named
      .filter(([, value]) => value !== '')
      .map(([name, value]) => `${name}: ${value}`)
      .join('; ');
  }
  return entry.code;
}

/** Text for people: one block per entry, the result and note indented under it. */
export function formatHistory(typed: string, entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return `No order known for ${typed}.`;
  const lines = [`${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} for ${typed}:`];
  for (const entry of entries) {
    const service = entry.service ? `${entry.service} (${entry.serviceId})` : `service ${entry.serviceId}`;
    const order = entry.orderId ? `order ${entry.orderId}` : 'no order';
    lines.push(`${entry.date}  ${order}  ${entry.status}  ${service}  ${entry.file} row ${entry.row}`);
    const result = formatResult(entry);
    if (result !== '') lines.push(`    result: ${result}`);
    if (entry.result && entry.code !== '') lines.push(`    code: ${entry.code}`);
    if (entry.note !== '') lines.push(`    note: ${entry.note}`);
  }
  return lines.join('\n');
}

/**
 * `history <IMEI>`: reads the store read-only, so it works while the daemon runs (WAL lets
 * readers in) and without taking the daemon's lock. Exit 0 whether or not anything is known.
 */
export function printHistory(config: ResolvedConfig, imei: string, json: boolean): void {
  const db = openStoreReadOnly(config);
  let entries: HistoryEntry[] = [];
  try {
    entries = db ? readHistory(db, imei) : [];
  } finally {
    db?.close();
  }
  print(json ? JSON.stringify(entries, null, 2) : formatHistory(imei, entries));
}
