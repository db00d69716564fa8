/**
 * What the engine needs from an IMEI provider. The GSM Fusion client implements it; another
 * protocol would go beside it (design.md, "Where code lives").
 */

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
   * `placeorder` for up to a batch of IMEIs of one service. Throws a `ProviderError` whose
   * `failureClass` says whether the orders may have been placed.
   */
  placeOrder(serviceId: string, imeis: readonly string[], signal?: AbortSignal): Promise<PlaceOrderResult>;
  /** `getimeis` for up to 100 order ids. Unknown ids are absent from the result. */
  getOrders(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[]>;
  /** Closes the connection pool; safe to call twice. */
  close(): Promise<void>;
}
