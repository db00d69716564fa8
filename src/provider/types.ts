/**
 * What the engine needs from an IMEI provider. The GSM Fusion and DHRU Fusion clients implement
 * it (design.md, "Where code lives"); `capabilities()` says how the protocol differs.
 */
import type { ProviderCapabilities } from './capabilities.js';

/** The provider's state of one order. `Completed` and `Rejected` are final. */
export type ProviderStatus = 'Pending' | 'In Process' | 'Completed' | 'Rejected';

export const FINAL_PROVIDER_STATUSES: readonly ProviderStatus[] = ['Completed', 'Rejected'];

/** One `Package` of the `imeiservices` catalogue. */
export interface CatalogueEntry {
  /** `PackageId`: what other calls name `networkId`, users "service id". */
  id: string;
  category: string;
  title: string;
  /** `PackagePrice` as the provider wrote it, e.g. `0.08`. */
  price: string;
  /** `TimeTaken`, free text such as `1-5 Minutes`. */
  timeTaken: string;
  mustRead: string;
  /**
   * DHRU only: `IMEI`, `SERVER` or `REMOTE` (`SERVICETYPE`, else `GROUPTYPE`). Absent for GSM
   * Fusion, whose catalogue holds IMEI services only.
   */
  serviceType?: string;
  /** DHRU only: inputs the service needs besides the IMEI (`Network`, `PIN`, a custom field...). */
  extraInputs?: string[];
  /**
   * False when an order of one IMEI cannot be placed for this service (not an IMEI service, or it
   * needs more than the IMEI): refuse it for IMEI rows before spending money. Absent means true.
   */
  orderableByImei?: boolean;
  /** Why `orderableByImei` is false, in plain words. */
  notOrderableReason?: string;
}

export interface PlacedOrder {
  imei: string;
  orderId: string;
  status: ProviderStatus;
}

/**
 * The reply to one `placeorder` call, already split by outcome. Every IMEI sent appears in at
 * most one list; an IMEI in none of them has an unknown outcome (see `unaccountedImeis`).
 */
export interface PlaceOrderResult {
  placed: PlacedOrder[];
  /** Refused because the provider already holds an order for it on that service (not charged). */
  duplicates: string[];
  /** Refused as malformed (`imeierrors`): not ordered, not charged. */
  rejected: string[];
  /**
   * DHRU only: IMEIs the provider refused for good with a text of its own (unknown service, a
   * missing input, any refusal no pattern recognises): not ordered, not charged; fail the row
   * with the text. Absent means none.
   */
  refused?: RefusedImei[];
}

export interface RefusedImei {
  imei: string;
  /** The provider's text, secrets removed. */
  message: string;
}

/**
 * What is known of each IMEI of a placing call that stopped part way (see
 * `ProviderErrorDetails.partial`): every IMEI sent is in exactly one of its lists.
 */
export interface PartialPlacement {
  /** IMEIs the reply (or the one-IMEI calls before the failure) accounted for. */
  settled: PlaceOrderResult;
  /** Refused for an account-level reason (credentials, credit): not ordered, not charged; they wait. */
  heldBack: string[];
  /** Never sent, or certainly not received (a series of one-IMEI calls stopped before them): not ordered. */
  notSent: string[];
  /** Sent, and nothing says what became of them: they may have been ordered. */
  unknown: string[];
}

/** The account's balance (`accountinfo`). */
export interface AccountBalance {
  /** The credit as the provider wrote it: `1,250.40`, `1000 USD`, `-12.5`. */
  creditText: string;
  /** The credit as a number when it could be read without guessing, else undefined. */
  credit?: number;
  /** `currency` when the provider names it, e.g. `USD`. */
  currency?: string;
}

/** One `imeis` element of a `getimeis` reply. */
export interface OrderResult {
  orderId: string;
  imei: string;
  /** `package`: the service title. */
  packageTitle: string;
  status: ProviderStatus;
  /** The raw result text (`code`), empty while pending. */
  code: string;
  /** `requestedat` as sent, `YYYY-MM-DD HH:MM:SS`, or empty. */
  requestedAt: string;
}

export interface ProviderClient {
  /** `imeiservices`. Read-only: any failure may be retried. */
  listServices(signal?: AbortSignal): Promise<CatalogueEntry[]>;
  /**
   * `placeorder` (DHRU: `placeimeiorderbulk`, or one `placeimeiorder` per IMEI) for up to a
   * batch of IMEIs of one service. Throws a `ProviderError` whose `failureClass` says whether the
   * orders may have been placed; when the call stopped part way, `details.partial` says what is
   * known of each IMEI, and IMEIs it does not list have the outcome the class says.
   */
  placeOrder(serviceId: string, imeis: readonly string[], signal?: AbortSignal): Promise<PlaceOrderResult>;
  /** `getimeis` for up to 100 order ids. Unknown ids are absent from the result. */
  getOrders(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[]>;
  /**
   * What the protocol offers, now: IMEIs per placing call, ids per result call, whether repeats
   * are refused, bulk support. Absent on clients written before protocols: GSM Fusion's.
   */
  capabilities?(): ProviderCapabilities;
  /** DHRU `accountinfo`: the balance; also the cheap way to check credentials. Read-only. */
  accountInfo?(signal?: AbortSignal): Promise<AccountBalance>;
  /** DHRU: asks, read-only, whether the server has the bulk actions; remembered (`bulk: "auto"`). */
  probeBulk?(signal?: AbortSignal): Promise<boolean>;
  /**
   * DHRU: one `getimeiorder` per id, whose replies name the IMEI (bulk reads do not): for
   * finding which order a lost call placed. Ids the server does not know are absent.
   */
  lookUpOrders?(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[]>;
  /** Closes the connection pool; safe to call twice. */
  close(): Promise<void>;
}
