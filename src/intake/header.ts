/**
 * Recognising a header row and locating the IMEI and service columns in it
 * (daemon-contract.md, "Input"). Pure: no I/O.
 *
 * A header name is compared after normalisation (case, Excel wrappers, punctuation and spacing
 * ignored), so `IMEI No.`, `imei_number`, `"IMEI 1"` and `IMEI#` are all the IMEI column.
 */
import { unwrapCell } from './cell.js';

export interface ColumnLayout {
  /** True when the first record names columns rather than holding data. */
  hasHeader: boolean;
  /** 0-based index of the IMEI column; null when a header exists but names none. */
  imeiColumn: number | null;
  /** 0-based index of the per-row service column, null when there is none. */
  serviceColumn: number | null;
}

/** Words that may follow `imei` in a header without changing its meaning. */
const IMEI_QUALIFIERS = new Set(['no', 'nr', 'num', 'number', 'code', '1']);
/** Words that may precede `imei` in a header. */
const IMEI_PREFIXES = new Set(['device', 'phone', 'handset']);
/** The contract's service column names, after normalisation (`networkId` -> `networkid`). */
const SERVICE_NAMES = new Set(['service', 'service id', 'serviceid', 'network id', 'networkid']);

/**
 * How well a header names the IMEI column: 1 for the IMEI (`imei`, `imei no.`, `imei1`...),
 * 2 for a second IMEI (`imei 2`), used only when no first one exists; null when not an IMEI name.
 */
export function imeiHeaderRank(cell: string): 1 | 2 | null {
  const words = headerWords(cell);
  if (words.length > 0 && IMEI_PREFIXES.has(words[0] ?? '')) words.shift();
  if (words[0] !== 'imei') return null;
  const qualifiers = words.slice(1);
  if (qualifiers.every((word) => IMEI_QUALIFIERS.has(word))) return 1;
  const second = qualifiers.filter((word) => word === '2').length === 1;
  if (second && qualifiers.every((word) => word === '2' || IMEI_QUALIFIERS.has(word))) return 2;
  return null;
}

/** True when a header cell names the per-row service column. */
export function isServiceHeader(cell: string): boolean {
  return SERVICE_NAMES.has(headerWords(cell).join(' '));
}

/**
 * Decides whether the first record is a header and where the columns are. The record is a
 * header when any cell is an IMEI or service name; without one, the first column is the IMEI
 * column and the record is data (the contract's rule for files without a recognisable header).
 */
export function analyseFirstRecord(cells: readonly string[]): ColumnLayout {
  let firstImei: number | null = null;
  let secondImei: number | null = null;
  let serviceColumn: number | null = null;
  for (const [index, cell] of cells.entries()) {
    const rank = imeiHeaderRank(cell);
    if (rank === 1 && firstImei === null) firstImei = index;
    if (rank === 2 && secondImei === null) secondImei = index;
    if (serviceColumn === null && isServiceHeader(cell)) serviceColumn = index;
  }
  const imeiColumn = firstImei ?? secondImei;
  if (imeiColumn === null && serviceColumn === null) {
    return { hasHeader: false, imeiColumn: 0, serviceColumn: null };
  }
  return { hasHeader: true, imeiColumn, serviceColumn };
}

/**
 * Lower-case words of a header cell: Excel wrappers removed, punctuation treated as spacing,
 * and digits split from letters so `IMEI1` and `IMEI 1` read alike.
 */
function headerWords(cell: string): string[] {
  return unwrapCell(cell)
    .toLowerCase()
    .replace(/([a-z])(\d)/g, '$1 $2')
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}
