import { noteDateTime, noteDateTimeSql } from '../timestamps.js';

/**
 * The row notes of settling an unknown outcome on a server that may charge a repeat (DHRU
 * without `refusesRepeats`): while the order ids are read (report STATUS `Checking`), once they
 * show that the row was not ordered, and when it cannot be decided (STATUS `Unknown`).
 */

/** SQL over `rows` (unqualified columns): the note while the row is being settled. */
export function settlingNoteSql(): string {
  return (
    `'sent at ' || ${noteDateTimeSql('unknown_since')} || ' in a call whose reply never arrived (' || ` +
    `COALESCE(last_error, 'no reply') || '); this provider may order and charge a repeat, so it is not sent again: ` +
    `the order ids issued around that call are being read to find its order, or to show that it was not ordered ` +
    `(it is sent then)'`
  );
}

/** The note of a row the order ids showed was not ordered; it is sent again. */
export function notOrderedNote(unknownSince: string | null, floor: number, ceiling: number): string {
  const when = unknownSince === null ? 'a call' : `the call at ${noteDateTime(unknownSince)}`;
  return (
    `the reply to ${when} was lost; every order id issued since (${floor + 1} to ${ceiling - 1}) was read ` +
    'and none is this IMEI, so it was not ordered: sent again'
  );
}

export interface UndecidedRow {
  imei: string;
  unknownSince: string | null;
  callOverAt: string | null;
  floor: number | null;
  ceiling: number | null;
  lastError: string | null;
}

/**
 * The note of a row whose outcome could not be established (STATUS `Unknown`): what to look for
 * in the provider's panel (which order ids, placed when) and how to order it again on purpose.
 */
export function undecidedNote(row: UndecidedRow, reason: string): string {
  const sent = row.unknownSince === null ? 'sent' : `sent at ${noteDateTime(row.unknownSince)}`;
  const lost = row.lastError ? ` (${row.lastError})` : '';
  const from = row.floor !== null && row.floor > 0 ? row.floor + 1 : undefined;
  const ids =
    from === undefined
      ? 'its order id is not known'
      : row.ceiling !== null && row.ceiling > from
        ? `order ids ${from} to ${row.ceiling - 1}`
        : `order ids from ${from} up`;
  const until = row.callOverAt === null ? '' : ` and ${noteDateTime(row.callOverAt)}`;
  const placed = row.unknownSince === null ? '' : `, placed between ${noteDateTime(row.unknownSince)}${until}`;
  return (
    `${sent} in a call whose reply never arrived${lost}; whether the provider ordered it could not be established ` +
    `(${reason}), and it was not sent again because this provider may charge a repeat. Look for IMEI ${row.imei} ` +
    `in the provider's order history (${ids}${placed}). If it is not there, order it again on purpose: drop it ` +
    'in inbox/recheck/'
  );
}
