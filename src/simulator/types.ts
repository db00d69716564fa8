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
}

export interface SimulatorStats {
  /** Every `placeorder` request received, faulted and rate-limited ones included. */
  placeorderCalls: number;
  /** Every `getimeis` request received, faulted and rate-limited ones included. */
  getimeisCalls: number;
  /** IMEIs that reached the order logic (placed, duplicate or malformed). */
  imeisReceived: number;
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
