/**
 * The options every provider client is built from. Plain data (no functions), so the provider
 * thread can receive them as workerData.
 */
import type { ProviderProtocolName } from './capabilities.js';
import type { DhruSettings } from './dhru/settings.js';

/** Where and how to connect; the same for every protocol. */
export interface ProviderConnectionOptions {
  /** Server root, e.g. `https://hammerfusion.com`; a trailing slash is fine. May carry a path. */
  baseUrl: string;
  /** The account's user name. Secret: never in a message or a log. */
  username: string;
  /** The API key. Secret: never in a message or a log. */
  apiKey: string;
  /** Limit on one whole call, from waiting for a connection to the reply's last byte. Default 30000. */
  timeoutMs?: number;
  /** Keep-alive connections held to the provider. Default 10. */
  connections?: number;
  /** Largest reply accepted, in bytes; a larger 2xx reply counts as unreadable. Default 32 MiB. */
  maxReplyBytes?: number;
}

/** What `createProviderClient` builds a client of either protocol from. */
export interface ProviderClientOptions extends ProviderConnectionOptions {
  /** `provider.protocol`. Default `gsmfusion`. */
  protocol?: ProviderProtocolName;
  /** `provider.dhru.*`; read only when `protocol` is `dhru`. */
  dhru?: DhruSettings;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECTIONS = 10;
export const DEFAULT_MAX_REPLY_BYTES = 32 * 1024 * 1024;
