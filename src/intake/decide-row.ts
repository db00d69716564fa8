import type { NewRow } from '../store/intake-transitions.js';
import { checkImei } from './imei.js';

const SERVICE_ID = /^\d{1,10}$/;

/**
 * Decides one input row: its service, its normalised IMEI or the reason it is invalid.
 * `inputCells`, the row's other columns, travel with it unchanged (only when there are any).
 */
export function decideRow(
  line: number,
  rawImei: string,
  rowServiceId: string | null,
  fallbackServiceId: string,
  inputCells?: string[],
): NewRow {
  const decided = decideImei(line, rawImei, rowServiceId, fallbackServiceId);
  if (inputCells !== undefined) decided.inputCells = inputCells;
  return decided;
}

function decideImei(line: number, rawImei: string, rowServiceId: string | null, fallbackServiceId: string): NewRow {
  if (rowServiceId !== null && !SERVICE_ID.test(rowServiceId)) {
    return { line, rawImei, imei: null, serviceId: rowServiceId, note: `service "${rowServiceId}" is not a service id (a number such as 1739)` };
  }
  const serviceId = rowServiceId ?? fallbackServiceId;
  const check = checkImei(rawImei);
  return check.ok
    ? { line, rawImei, imei: check.imei, serviceId, note: '' }
    : { line, rawImei, imei: null, serviceId, note: check.reason };
}
