import { noteDateTime } from '../timestamps.js';

/**
 * How long the daemon searches for the order id of a row the provider says it holds (a
 * resubmission refused as a repeat) before it reports the row `Unconfirmed`. The search asks
 * for the ids issued around the lost call; ten minutes leaves room for replies still coming
 * in and for the searches to back off, and is short next to a checker's result time.
 */
export const RECOVERY_WINDOW_MS = 10 * 60_000;

/** The row note while its lost order is being looked for (report STATUS `Checking`). */
export function recoveringNote(unknownSince: string): string {
  return (
    `sent at ${noteDateTime(unknownSince)} in a call whose reply never arrived; the provider refused the ` +
    'resubmission as a repeat, so it holds an order for this IMEI: looking up its order id (not charged twice)'
  );
}

/** The row note of an order found by that search. */
export function adoptedNote(unknownSince: string | null): string {
  const when = unknownSince === null ? 'a call' : `the call at ${noteDateTime(unknownSince)}`;
  return `the reply to ${when} was lost; this order was found among the ids the provider issued around it`;
}

/**
 * The row note when the search ended without finding the order: the provider holds one (it
 * refused the repeat), but its id is unknown. Says where to look and what not to do.
 */
export function unconfirmedNote(unknownSince: string, searched: { from: number; to: number } | undefined): string {
  const range =
    searched !== undefined && searched.to >= searched.from
      ? `; order ids ${searched.from} to ${searched.to} were searched without finding it`
      : '';
  return (
    `sent at ${noteDateTime(unknownSince)} in a call whose reply never arrived; the provider refused the resubmission ` +
    `as a repeat, so it holds an order for this IMEI, but its order id is unknown${range}: find it in the provider's ` +
    'order history (orders placed around that time) before ordering again'
  );
}
