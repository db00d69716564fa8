/**
 * The public shapes of the GSM Fusion simulator. Kept apart from the server so the daemon can
 * import the types without pulling in node:http.
 */
import type { ProviderStatus } from '../provider/types.js';

/** Each a probability 0..1 per call of an action in `faultActions`; all default to 0. */
export interface SimulatorFaults {
  /** HTTP 500 with an HTML page; orders NOT taken. */
  http500?: number;
  /** HTTP 503 with an HTML page; orders NOT taken. */
  http503?: number;
  /** HTTP 429 with `Retry-After: 1`; orders NOT taken. */
  rateLimit?: number;
  /** Orders taken, then the socket is destroyed with no reply. */
  dropAfterOrder?: number;
  /** Orders taken, then no reply ever (the socket stays open until the client gives up or close()). */
  hang?: number;
  /** Orders taken, then HTTP 200 with the XML cut off half way, and the connection ends. */
  truncated?: number;
}

export type SimulatorFaultKind = keyof SimulatorFaults;

export interface SimulatorOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 0; waited before every reply (and before a fault shows). */
  latencyMs?: number;
  /** Default: no faults. */
  faults?: SimulatorFaults;
  /** Actions the faults apply to; default `['placeorder']`. */
  faultActions?: string[];
  /** Seed of the fault RNG so runs are reproducible; default 1. */
  seed?: number;
  /** Checked only when non-empty and `apiKey` is non-empty: other user ids get `Invalid User!`. */
  username?: string;
  /** When non-empty, calls with another key get `Invalid API Key!`. Default `''`: anything goes. */
  apiKey?: string;
  /** 0 = unlimited (default); above it, calls get 429 with `Retry-After: 1` and no order is taken. */
  maxInFlight?: number;
  /** Default 2000: Pending, then `In Process` after half of it, then Completed or Rejected. */
  completeAfterMs?: number;
  /** Default true: replies start with the live server's `<?phpxml version="1.0" encoding="utf-8"?>`. */
  brokenDeclaration?: boolean;
  /** Default true: `imeiservices` replies `<Packages><Package/>...</Packages>`; false: `<result><Package/>...</result>`. */
  catalogueWrapper?: boolean;
  /** Default false: `getimeis` sends statuses as 1/2/3/4 (the manual's numbers) instead of words. */
  numericStatuses?: boolean;
  /**
   * Default false. True: like the one live test recorded against the default provider, a
   * `placeorder` with several IMEIs orders only the LAST one (after trimming and dropping empty
   * entries) and its reply names only that one: `<imeis>` if ordered, `<imeiduplicates>` if
   * already held for the service, `<imeierrors>` if not 15 digits. The other IMEIs are not
   * ordered and appear nowhere in the reply (stats: `imeisIgnored`). A one-IMEI call is unchanged,
   * including the whole-reply `IMEI already exists!` for a repeat.
   */
  placesOnlyLastImei?: boolean;
  /**
   * Default 0. Ids the server hands to other, invisible accounts after each order this account
   * places, so the ids of one call (and of consecutive calls) are not contiguous: with 2, one
   * call's three orders get ids n, n+3, n+6. A whole number. `getimeis` answers nothing for those
   * ids (absent, as unknown ids are) and `orders()` never lists them.
   */
  otherAccountOrders?: number;
  /**
   * The id of the first order. Default: derived from the clock (milliseconds x 100, about 1.8e14
   * in 2026: 15 digits) and above every id an earlier simulator of this process handed out, so a
   * restarted simulator never reuses an id an earlier start handed out (order-ids.ts has the
   * reasoning and its limit: on average under 100,000 ids a second). A whole number; pass
   * `FIRST_ORDER_ID` (15556534, the old fixed start) for a predictable sequence.
   */
  firstOrderId?: number;
}

export interface SimulatorOrder {
  orderId: string;
  imei: string;
  serviceId: string;
  /** The status a `getimeis` call would report now. */
  status: ProviderStatus;
  /** Empty until final. */
  code: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  requestedAt: string;
  /** Epoch milliseconds. */
  placedAt: number;
  /**
   * How many later IMEIs (same IMEI, same service) were refused as duplicates of this order:
   * a daemon that never re-sends an IMEI whose outcome it knows keeps this at 0, except after a
   * lost reply. Always set by `orders()`; optional only so hand-built values stay valid.
   */
  duplicateRefusals?: number;
}

export interface SimulatorStats {
  /** Every `placeorder` request received, faulted and rate-limited ones included. */
  placeorderCalls: number;
  /** Every `getimeis` request received, faulted and rate-limited ones included. */
  getimeisCalls: number;
  /**
   * IMEIs that reached the order logic: every IMEI of a `placeorder` call that got past
   * credentials, service id and faults. Always `ordersPlaced + duplicatesRefused +
   * malformedRefused + imeisIgnored`.
   */
  imeisReceived: number;
  /** Orders taken for this account (the orders `orders()` lists). */
  ordersPlaced: number;
  /** IMEIs refused because an order for them on that service is held (listed or as the whole-reply error). */
  duplicatesRefused: number;
  /** IMEIs refused as not 15 digits (`imeierrors`). */
  malformedRefused: number;
  /** IMEIs dropped unseen by `placesOnlyLastImei`: not ordered and absent from the reply. */
  imeisIgnored: number;
  /** Requests being handled right now. */
  inFlight: number;
  /** The highest number of requests ever handled at once. */
  maxInFlight: number;
  /** Every 429 sent, from `maxInFlight` or from the `rateLimit` fault. */
  rateLimited: number;
  faultsInjected: Record<SimulatorFaultKind, number>;
}

export interface Simulator {
  /** e.g. `http://127.0.0.1:41234`; the daemon calls `${url}/gsmfusion_api/index.php`. */
  readonly url: string;
  readonly port: number;
  /** Every order held, in placement order. */
  orders(): SimulatorOrder[];
  stats(): SimulatorStats;
  setFaults(faults: SimulatorFaults): void;
  setLatency(ms: number): void;
  /** Down: stop listening (connection refused) and drop open connections; up: listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  /** Safe to call twice; destroys hung sockets. */
  close(): Promise<void>;
}
