/**
 * `getimeiorder` and `getimeiorderbulk` replies as order results, with DHRU's own status table
 * (dhru-fusion-api.md, "Statuses"). Its numbers mean other things than GSM Fusion's (`4` is
 * Completed here and In Process there): the two tables never mix. Pure.
 */
import type { OrderResult, ProviderStatus } from '../types.js';
import { type JsonObject, errorText, field, fieldText, firstRecord, isObject, textOf } from './json-reply.js';

/** DHRU's `STATUS`, as a number or a word, keyed by its letters and digits, lower case. */
const DHRU_STATUS: ReadonlyMap<string, ProviderStatus> = new Map<string, ProviderStatus>([
  ['0', 'Pending'],
  ['1', 'In Process'],
  // Not in the template; clients written against live servers treat it as not final.
  ['2', 'In Process'],
  ['3', 'Rejected'],
  ['4', 'Completed'],
  ['pending', 'Pending'],
  ['waiting', 'Pending'],
  ['new', 'Pending'],
  ['inprocess', 'In Process'],
  ['processing', 'In Process'],
  ['rejected', 'Rejected'],
  ['cancelled', 'Rejected'],
  ['canceled', 'Rejected'],
  ['refunded', 'Rejected'],
  ['completed', 'Completed'],
  ['success', 'Completed'],
  ['available', 'Completed'],
]);

/** A DHRU status; empty or unknown ones are `Pending`: keep polling, never close an order on a guess. */
export function dhruStatus(raw: string): ProviderStatus {
  const text = raw.trim();
  // A number is read as one (`04`, `4.0`; `-1` is no status), a word by its letters only.
  const key = /^-?\d+(?:\.\d+)?$/.test(text) ? String(Number(text)) : text.toLowerCase().replace(/[^a-z]/g, '');
  return DHRU_STATUS.get(key) ?? 'Pending';
}

/** What one reply (or one entry of a bulk reply) says about an order. */
export type ResultEntry = { kind: 'found'; result: OrderResult } | { kind: 'error'; text: string } | { kind: 'none' };

/**
 * One order's entry: `{"SUCCESS":[{"IMEI":...,"STATUS":4,"CODE":"..."}]}` or `{"ERROR":[...]}`.
 * The IMEI is taken from the reply when present; bulk entries carry none.
 */
export function readResultEntry(entry: JsonObject, orderId: string): ResultEntry {
  const refusal = errorText(entry);
  if (refusal !== undefined && refusal !== '') return { kind: 'error', text: refusal };
  const record = firstRecord(field(entry, 'SUCCESS'));
  if (record === undefined || field(record, 'STATUS') === undefined) return { kind: 'none' };
  return {
    kind: 'found',
    result: {
      orderId,
      imei: fieldText(record, 'IMEI'),
      packageTitle: '',
      status: dhruStatus(fieldText(record, 'STATUS')),
      // The raw text: the report decodes `<br>` and entities (report/code-text.ts).
      code: textOf(field(record, 'CODE')),
      requestedAt: '',
    },
  };
}

/** The reference of one id in a bulk read: `o` and the id, never a key of the envelope. */
export function readReference(orderId: string): string {
  return `o${orderId}`;
}

/** A bulk read's entries by order id; ids without a result (errors, missing) are left out. */
export function readBulkResults(json: JsonObject, orderIds: readonly string[]): OrderResult[] {
  const results: OrderResult[] = [];
  const seen = new Set<string>();
  for (const orderId of orderIds) {
    if (seen.has(orderId)) continue;
    seen.add(orderId);
    const entry = field(json, readReference(orderId));
    if (!isObject(entry)) continue;
    const read = readResultEntry(entry, orderId);
    if (read.kind === 'found') results.push(read.result);
  }
  return results;
}

/** Whether a bulk reply is keyed by at least one of the references sent: the server has the action. */
export function isKeyedBy(json: JsonObject, references: readonly string[]): boolean {
  return references.some((reference) => isObject(field(json, reference)));
}
