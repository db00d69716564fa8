/**
 * How times are shown to people: the provider's own `YYYY-MM-DD HH:MM:SS` shape, from the ISO
 * strings the store keeps. One place, so reports, notes and `history` agree.
 */

/** `2026-11-28T12:00:01.123Z` -> `2026-11-28 12:00:01`. */
export function providerDateTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** `2026-11-28T12:00:01.123Z` -> `2026-11-28 12:00:01 UTC`, for notes. */
export function noteDateTime(iso: string): string {
  return `${providerDateTime(iso)} UTC`;
}

/** The same as `noteDateTime`, as SQL over an ISO time column: for notes written set-wise. */
export function noteDateTimeSql(column: string): string {
  return `substr(${column}, 1, 10) || ' ' || substr(${column}, 12, 8) || ' UTC'`;
}
