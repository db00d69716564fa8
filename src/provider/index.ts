/** The provider client: what the engine imports. */
export type {
  CatalogueEntry,
  OrderResult,
  PlaceOrderResult,
  PlacedOrder,
  ProviderClient,
  ProviderStatus,
} from './types.js';
export { FINAL_PROVIDER_STATUSES } from './types.js';
export { GsmFusionClient, type GsmFusionClientOptions, MAX_ORDER_IDS_PER_CALL } from './gsmfusion-client.js';
export { unaccountedImeis } from './unaccounted.js';
export { ThreadedProviderClient, type ThreadedClientOptions } from './threaded-client.js';
export {
  type CallFailure,
  type FailureContext,
  type ProviderAction,
  classifyFailure,
  parseRetryAfter,
} from './classify.js';
export {
  ProviderRefusal,
  ReplyParseError,
  parseCatalogue,
  parseOrders,
  parsePlaceOrder,
  parseProviderStatus,
  refusalMessageOf,
} from './xml.js';
