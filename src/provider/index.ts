/** The provider client: what the engine imports. */
export type {
  AccountBalance,
  CatalogueEntry,
  OrderResult,
  PartialPlacement,
  PlaceOrderResult,
  PlacedOrder,
  ProviderClient,
  ProviderStatus,
  RefusedImei,
} from './types.js';
export {
  GSM_FUSION_CAPABILITIES,
  IMEIS_PER_LIST_CALL,
  MAX_IDS_PER_RESULT_CALL,
  PROVIDER_PROTOCOLS,
  type ProviderCapabilities,
  type ProviderProtocolName,
  dhruCapabilities,
} from './capabilities.js';
export { capabilitiesOf, createProviderClient, initialCapabilities } from './create-client.js';
export type { ProviderClientOptions, ProviderConnectionOptions } from './options.js';
export {
  DhruClient,
  type DhruClientOptions,
  type DhruBulkMode,
  type DhruSettings,
  DHRU_BULK_MODES,
  SINGLE_ENCODINGS,
  type SingleEncoding,
  DEFAULT_REFUSAL_PATTERNS,
  type DhruRefusalPatterns,
} from './dhru/index.js';
export { FINAL_PROVIDER_STATUSES } from './types.js';
export { GsmFusionClient, type GsmFusionClientOptions, MAX_ORDER_IDS_PER_CALL } from './gsmfusion-client.js';
export { unaccountedImeis } from './unaccounted.js';
export { ThreadedProviderClient, type ThreadedClientOptions } from './threaded-client.js';
export {
  type CallFailure,
  type DhruAction,
  type FailureContext,
  type GsmFusionAction,
  type ProviderAction,
  placesOrders,
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
