/**
 * Messages between the daemon and its provider thread (see threaded-client.ts). Every call has
 * an id; its answer or its error comes back under the same id.
 */
import type { ProviderErrorDetails } from '../errors.js';
import type { ProviderCapabilities } from './capabilities.js';
import type { AccountBalance, CatalogueEntry, OrderResult, PlaceOrderResult } from './types.js';

export type ProviderCall =
  | { action: 'listServices' }
  | { action: 'placeOrder'; serviceId: string; imeis: readonly string[] }
  | { action: 'getOrders'; orderIds: readonly string[] }
  | { action: 'lookUpOrders'; orderIds: readonly string[] }
  | { action: 'accountInfo' }
  | { action: 'probeBulk' };

export type ToProviderThread =
  /** `aborted`: the caller's signal had fired already; the call is stopped before it is sent. */
  | { kind: 'call'; id: number; call: ProviderCall; aborted: boolean }
  /** The caller's signal fired: the thread stops that call as the client would. */
  | { kind: 'abort'; id: number }
  /** Close the pool once the calls in flight end, then answer `closed`. */
  | { kind: 'close' };

/** An error as it can cross threads: a ProviderError's code and details, or a plain message. */
export interface ThreadFailure {
  code: string | undefined;
  message: string;
  details: ProviderErrorDetails | undefined;
}

export type ProviderAnswer = CatalogueEntry[] | PlaceOrderResult | OrderResult[] | AccountBalance | boolean;

/**
 * `capabilities`: the client's after the call, since a DHRU client learns its server's bulk
 * support from calls; the daemon's side keeps the latest.
 */
export type FromProviderThread =
  | { kind: 'answer'; id: number; answer: ProviderAnswer; capabilities?: ProviderCapabilities }
  | { kind: 'failure'; id: number; failure: ThreadFailure; capabilities?: ProviderCapabilities }
  | { kind: 'closed' };
