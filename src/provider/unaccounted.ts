import type { PlaceOrderResult } from './types.js';

/**
 * The IMEIs sent in a `placeorder` call that its reply does not mention at all: their outcome
 * is unknown (they may have been ordered), never "not ordered". In the order sent, without repeats.
 */
export function unaccountedImeis(sent: readonly string[], result: PlaceOrderResult): string[] {
  const accounted = new Set<string>([
    ...result.placed.map((order) => order.imei),
    ...result.duplicates,
    ...result.rejected,
    ...(result.refused ?? []).map((refused) => refused.imei),
  ]);
  const missing = new Set<string>();
  for (const imei of sent) if (!accounted.has(imei)) missing.add(imei);
  return [...missing];
}
