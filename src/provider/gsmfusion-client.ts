/**
 * The GSM Fusion order API over HTTP (gsmfusion-api.md): one keep-alive undici pool, one POST
 * per call, every failure thrown as the `ProviderError` subclass that says whether orders may
 * have been placed. Credentials travel only in the request body and appear in no message.
 */
import { Pool } from 'undici';
import { ConfigError, type ProviderError } from '../errors.js';
import { GSM_FUSION_CAPABILITIES, type ProviderCapabilities } from './capabilities.js';
import { type CallFailure, type ProviderAction, classifyFailure } from './classify.js';
import { type HttpReply, postForm } from './http-post.js';
import type { CatalogueEntry, OrderResult, PlacedOrder, PlaceOrderResult, ProviderClient } from './types.js';
import {
  ProviderRefusal,
  ReplyParseError,
  parseCatalogue,
  parseOrders,
  parsePlaceOrder,
  refusalMessageOf,
  salvagePlacedOrders,
} from './xml.js';

export { unaccountedImeis } from './unaccounted.js';

export interface GsmFusionClientOptions {
  /** Server root, e.g. `https://hammerfusion.com`; a trailing slash is fine. */
  baseUrl: string;
  /** The account's user name (`userId`). */
  username: string;
  /** The API key, `XXXX-XXXX-XXXX-XXXX-XXXX`. */
  apiKey: string;
  /** Limit on one whole call, from waiting for a connection to the reply's last byte. Default 30000. */
  timeoutMs?: number;
  /** Keep-alive connections held to the provider. Default 10. */
  connections?: number;
  /** Largest reply accepted, in bytes; a larger 2xx reply counts as unreadable. Default 32 MiB. */
  maxReplyBytes?: number;
}

/** The most order ids one `getimeis` call may carry (gsmfusion-api.md). */
export const MAX_ORDER_IDS_PER_CALL = 100;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECTIONS = 10;
const DEFAULT_MAX_REPLY_BYTES = 32 * 1024 * 1024;
/** undici's own default; kept lower than a long `timeoutMs` so a dead host fails fast and safe. */
const MAX_CONNECT_TIMEOUT_MS = 10_000;
const API_PATH = '/gsmfusion_api/index.php';

export class GsmFusionClient implements ProviderClient {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly username: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly maxReplyBytes: number;
  private closing: Promise<void> | undefined;

  constructor(options: GsmFusionClientOptions) {
    const base = parseBaseUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.username = options.username;
    this.apiKey = options.apiKey;
    this.path = `${base.pathname.replace(/\/+$/, '')}${API_PATH}`;
    this.pool = new Pool(base.origin, {
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      // Our own timer limits the whole call; these only back it up.
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: { timeout: Math.min(MAX_CONNECT_TIMEOUT_MS, this.timeoutMs) },
    });
  }

  /** GSM Fusion's fixed facts: lists of 100, repeats refused (gsmfusion-api.md). */
  capabilities(): ProviderCapabilities {
    return { ...GSM_FUSION_CAPABILITIES };
  }

  async listServices(signal?: AbortSignal): Promise<CatalogueEntry[]> {
    const reply = await this.send('imeiservices', {}, signal);
    return this.read('imeiservices', reply, parseCatalogue);
  }

  async placeOrder(serviceId: string, imeis: readonly string[], signal?: AbortSignal): Promise<PlaceOrderResult> {
    if (serviceId.trim() === '') throw new Error('placeOrder needs a service id');
    if (imeis.length === 0) throw new Error('placeOrder needs at least one IMEI');
    const reply = await this.send('placeorder', { imei: imeis.join(','), networkId: serviceId }, signal);
    return this.read('placeorder', reply, (body) => parsePlaceOrder(body, imeis), (body) => salvagePlacedOrders(body, imeis));
  }

  async getOrders(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[]> {
    if (orderIds.length > MAX_ORDER_IDS_PER_CALL) {
      throw new Error(`getOrders takes at most ${MAX_ORDER_IDS_PER_CALL} order ids, got ${orderIds.length}`);
    }
    if (orderIds.length === 0) return [];
    const reply = await this.send('getimeis', { orderIds: orderIds.join(',') }, signal);
    return this.read('getimeis', reply, parseOrders);
  }

  /** Closes the pool once in-flight calls end (each is bounded by `timeoutMs`). */
  close(): Promise<void> {
    this.closing ??= this.pool.close();
    return this.closing;
  }

  /** Sends one call and returns its 2xx reply; anything else is thrown, classified. */
  private async send(action: ProviderAction, fields: Record<string, string>, signal?: AbortSignal): Promise<HttpReply> {
    if (this.closing !== undefined) throw new Error('the provider client is closed');
    const outcome = await postForm(this.pool, {
      path: this.path,
      form: { userId: this.username, apiKey: this.apiKey, action, ...fields },
      timeoutMs: this.timeoutMs,
      signal,
      maxReplyBytes: this.maxReplyBytes,
    });
    if (!outcome.ok) throw this.classify(outcome.failure, action);
    const { reply } = outcome;
    if (reply.status >= 200 && reply.status < 300) return reply;

    // Some servers send their `<error>` with a 4xx status: keep the provider's reason (and so
    // recognise bad credentials) rather than a bare status.
    const refusal = isClientError(reply.status) ? refusalMessageOf(reply.body) : undefined;
    if (refusal !== undefined) {
      throw this.classify({ kind: 'provider-error', status: reply.status, message: refusal }, action);
    }
    throw this.classify({ kind: 'http-status', status: reply.status, retryAfter: firstHeader(reply, 'retry-after') }, action);
  }

  /**
   * Parses a 2xx reply; an unreadable body or an `<error>` becomes the matching ProviderError,
   * carrying what `salvage` could still read from an unreadable one.
   */
  private read<T>(
    action: ProviderAction,
    reply: HttpReply,
    parse: (body: string) => T,
    salvage?: (body: string) => PlacedOrder[],
  ): T {
    try {
      return parse(reply.body);
    } catch (error) {
      if (error instanceof ProviderRefusal) {
        throw this.classify({ kind: 'provider-error', status: reply.status, message: error.providerMessage }, action);
      }
      if (error instanceof ReplyParseError) {
        const salvaged = salvage?.(reply.body) ?? [];
        throw this.classify({ kind: 'bad-reply', status: reply.status, problem: error.message, salvaged }, action);
      }
      throw error;
    }
  }

  private classify(failure: CallFailure, action: ProviderAction): ProviderError {
    // A very short user name would blank out ordinary words; the key is always hidden.
    const secrets = this.username.length >= 4 ? [this.apiKey, this.username] : [this.apiKey];
    return classifyFailure(failure, { action, secrets });
  }
}

export function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(`provider.baseUrl is not a URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`provider.baseUrl must start with http:// or https://: ${baseUrl}`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '') {
    // Credentials belong in the body only; a query string would be sent with every call.
    throw new ConfigError('provider.baseUrl must not hold credentials or a query string');
  }
  return url;
}

function isClientError(status: number): boolean {
  return status >= 400 && status < 500 && status !== 429;
}

function firstHeader(reply: HttpReply, name: string): string | undefined {
  const value = reply.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
