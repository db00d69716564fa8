/**
 * The protocol facts the engine needs, in one object per client, so nothing above
 * src/provider/ knows which protocol it talks to (design.md, "Seams: provider protocol").
 */

export type ProviderProtocolName = 'gsmfusion' | 'dhru';

export const PROVIDER_PROTOCOLS: readonly ProviderProtocolName[] = ['gsmfusion', 'dhru'];

export interface ProviderCapabilities {
  protocol: ProviderProtocolName;
  /**
   * Most IMEIs worth putting in one `placeOrder` call: a batch size above it gains nothing.
   * 1 where each IMEI is its own call (DHRU without bulk): then send batches of one, in
   * parallel up to the concurrency.
   */
  imeisPerPlacingCall: number;
  /** Most order ids one `getOrders` call takes: 100, or 1 for DHRU without bulk. */
  idsPerResultCall: number;
  /**
   * Whether the server refuses to order again an IMEI it already holds for the service. True:
   * an unknown outcome may be resubmitted (a repeat comes back as a duplicate). False: a
   * resubmission may be ordered and charged again, so unknown outcomes must be resolved from
   * the order ids instead (DHRU, unless the operator confirms otherwise).
   */
  refusesRepeats: boolean;
  /**
   * DHRU: whether the server has the bulk actions. Undefined until known (`bulk: "auto"` before
   * the first probe); the client then probes by itself before its first bulk placing call.
   * Always false for GSM Fusion, whose one action takes lists anyway.
   */
  hasBulk: boolean | undefined;
  /** Whether `accountInfo()` can read the balance. */
  hasBalance: boolean;
  /** Whether `getOrders` results name the IMEI; when false, take it from the daemon's own record. */
  resultsNameImei: boolean;
  /** Whether results carry the service title and request date (`packageTitle`, `requestedAt`). */
  resultsNameService: boolean;
  /** Whether each new order id is higher than every earlier one (order recovery searches above a floor). */
  orderIdsAscend: boolean;
}

/** One `getimeis` / `getimeiorderbulk` call: at most this many ids (both protocols' practice). */
export const MAX_IDS_PER_RESULT_CALL = 100;

/** IMEIs per `placeorder` / `placeimeiorderbulk`: the established practice (`submission.batchSize`). */
export const IMEIS_PER_LIST_CALL = 100;

export const GSM_FUSION_CAPABILITIES: Readonly<ProviderCapabilities> = Object.freeze({
  protocol: 'gsmfusion',
  imeisPerPlacingCall: IMEIS_PER_LIST_CALL,
  idsPerResultCall: MAX_IDS_PER_RESULT_CALL,
  refusesRepeats: true,
  hasBulk: false,
  hasBalance: false,
  resultsNameImei: true,
  resultsNameService: true,
  orderIdsAscend: true,
});

/**
 * DHRU's capabilities for a server whose bulk support is `hasBulk` (undefined: not known yet,
 * counted as bulk because the client probes before it relies on it).
 */
export function dhruCapabilities(refusesRepeats: boolean, hasBulk: boolean | undefined): ProviderCapabilities {
  const perCall = hasBulk === false ? 1 : IMEIS_PER_LIST_CALL;
  return {
    protocol: 'dhru',
    imeisPerPlacingCall: perCall,
    idsPerResultCall: hasBulk === false ? 1 : MAX_IDS_PER_RESULT_CALL,
    refusesRepeats,
    hasBulk,
    hasBalance: true,
    // Single reads name the IMEI on most servers; bulk reads never do.
    resultsNameImei: false,
    resultsNameService: false,
    orderIdsAscend: true,
  };
}
