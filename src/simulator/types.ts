/**
 * The public shapes of the simulator (GSM Fusion, or DHRU Fusion with `protocol: 'dhru'`). Kept
 * apart from the server so the daemon can import the types without pulling in node:http.
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

/** Which API the simulator speaks. */
export type SimulatorProtocol = 'gsmfusion' | 'dhru';

/**
 * The DHRU server variations of dhru-fusion-api.md, each a choice some real server makes.
 * Every default is the 6.1 template's behaviour, except where said.
 */
export interface DhruSimulatorOptions {
  /**
   * The bulk actions (`placeimeiorderbulk`, `getimeiorderbulk`). Default `keyed`: replies keyed
   * by the caller's references at the top level. `wrapped`: placing replies wrapped in a
   * `SUCCESS` object with lower-case `status`/`message`/`referenceid` (reads stay keyed, as on
   * every source). `invalid-action`: no bulk, answered `Invalid Action`. `empty`: no bulk, and
   * like one panel this and any other unknown action is answered with an empty 200 body.
   */
  bulk?: 'keyed' | 'wrapped' | 'invalid-action' | 'empty';
  /** Default false: numbers (`STATUS`, `REFERENCEID`, `CREDIT`...) as JSON numbers; true: as strings. */
  stringNumbers?: boolean;
  /** The `STATUS` of an order in process. Default 1 (the template); 2 as some live servers send. */
  processingStatus?: 1 | 2;
  /** `CODE` of finished checks. Default `dash` (`Key: Value - Key: Value`); `br`: `<br>` between fields, `&` as `&amp;`. */
  codeFormat?: 'dash' | 'br';
  /** Which `parameters` encodings single actions read. Default `both`; `json` refuses XML (the 6.1 template); `xml` refuses base64 JSON. */
  singleEncoding?: 'both' | 'json' | 'xml';
  /** Default false: every answer HTTP 200 (the template). True: refusals with 400, 401 (credentials) and 404 (unknown service or order), like the modern panel. */
  httpErrors?: boolean;
  /** Default `list`: `ERROR` as `[{"MESSAGE":...}]`; `string`: a plain string, as one panel sends. */
  errorShape?: 'list' | 'string';
  /** Default `objects`: `LIST` keyed by group and `SERVICES` by id; `arrays`: both as JSON lists. */
  listShape?: 'objects' | 'arrays';
  /** Default `AccoutInfo` (the template's spelling); `AccountInfo` as the modern panel spells it. */
  accountInfoKey?: 'AccoutInfo' | 'AccountInfo';
  /** How `accountinfo` writes the credit. Default `text` (`"1,250.40"`); `number` (1250.4); `suffix` (`"1250.40 USD"`). */
  creditFormat?: 'text' | 'number' | 'suffix';
  /**
   * Default true: a repeat of an IMEI held for the service is refused (`Duplicate IMEI[...]`),
   * as one panel does. False, as the template: the repeat is ordered and charged again (counted
   * in `stats().repeatsOrdered`, the order's `repeatOf` naming the earlier one).
   */
  refusesRepeats?: boolean;
  /** What `getimeiorderbulk` answers for an id it does not hold. Default `error` (the template); `pending`: STATUS 0, as the modern panel. */
  unknownIdsInBulk?: 'error' | 'pending';
}

export interface SimulatorOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 0; waited before every reply (and before a fault shows). */
  latencyMs?: number;
  /** Default: no faults. */
  faults?: SimulatorFaults;
  /**
   * Actions the faults apply to; default `['placeorder']`. With `protocol: 'dhru'`, `placeorder`
   * stands for both DHRU placing actions and `getimeis` for both result actions; DHRU action
   * names may be given too.
   */
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
  /** Default `gsmfusion`. `dhru`: the DHRU Fusion API at `/api/index.php`, with the same order book and faults. */
  protocol?: SimulatorProtocol;
  /** The DHRU variations; read only with `protocol: 'dhru'`. */
  dhru?: DhruSimulatorOptions;
  /**
   * The account's credit (DHRU `accountinfo`). Each DHRU order costs its service's price; an
   * order the credit does not cover is refused with `Not enough credits`. Default 100000.
   * GSM Fusion calls neither show nor spend it.
   */
  credit?: number;
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
  /** DHRU with `refusesRepeats: false`: the earlier order of the same IMEI and service this one repeats. */
  repeatOf?: string;
}

export interface SimulatorStats {
  /** Every placing request received (`placeorder`; DHRU `placeimeiorder` and `placeimeiorderbulk`), faulted and rate-limited ones included. */
  placeorderCalls: number;
  /** Every result request received (`getimeis`; DHRU `getimeiorder` and `getimeiorderbulk`), faulted and rate-limited ones included. */
  getimeisCalls: number;
  /** Every request by its `action` field (`''` when it had none), faulted and rate-limited ones included. */
  callsByAction: Record<string, number>;
  /**
   * IMEIs that reached the order logic: every IMEI of a placing call that got past
   * credentials, service id and faults. Always `ordersPlaced + duplicatesRefused +
   * malformedRefused + imeisIgnored + refusedNoCredit`.
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
  /** DHRU: IMEIs refused with `Not enough credits`. */
  refusedNoCredit: number;
  /** DHRU with `refusesRepeats: false`: orders of an IMEI the service already held (counted in `ordersPlaced` too). */
  repeatsOrdered: number;
  /** Requests being handled right now. */
  inFlight: number;
  /** The highest number of requests ever handled at once. */
  maxInFlight: number;
  /** Every 429 sent, from `maxInFlight` or from the `rateLimit` fault. */
  rateLimited: number;
  faultsInjected: Record<SimulatorFaultKind, number>;
}

export interface Simulator {
  /** e.g. `http://127.0.0.1:41234`; the daemon calls `${url}/gsmfusion_api/index.php` (DHRU: `${url}/api/index.php`). */
  readonly url: string;
  readonly protocol: SimulatorProtocol;
  readonly port: number;
  /** Every order held, in placement order. */
  orders(): SimulatorOrder[];
  stats(): SimulatorStats;
  /** When each request with an action arrived (epoch ms), in order: to check a client's calls per minute. */
  callTimes(): number[];
  setFaults(faults: SimulatorFaults): void;
  setLatency(ms: number): void;
  /** The account's credit now (DHRU orders spend it). */
  credit(): number;
  /** Sets the credit, e.g. to run out mid-file or to top it up again. */
  setCredit(credit: number): void;
  /** Down: stop listening (connection refused) and drop open connections; up: listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  /** Safe to call twice; destroys hung sockets. */
  close(): Promise<void>;
}
