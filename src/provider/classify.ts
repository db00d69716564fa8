/**
 * What went wrong in one provider call, turned into the error class that tells the engine
 * whether the call may have placed orders (design.md, "Which failures are safe to retry").
 * Pure: no I/O, no clock unless `now` is left out.
 */
import {
  ProviderAuthError,
  type ProviderError,
  type ProviderErrorDetails,
  ProviderPermanentError,
  ProviderSafeError,
  ProviderUnknownOutcomeError,
} from '../errors.js';
import { scrubSecrets } from '../secrets.js';
import type { PlacedOrder } from './types.js';

/** The GSM Fusion actions the daemon calls. */
export type GsmFusionAction = 'imeiservices' | 'placeorder' | 'getimeis';

/** The DHRU Fusion actions the daemon calls (dhru-fusion-api.md). */
export type DhruAction =
  | 'accountinfo'
  | 'imeiservicelist'
  | 'placeimeiorder'
  | 'placeimeiorderbulk'
  | 'getimeiorder'
  | 'getimeiorderbulk';

/** The provider actions the daemon calls, of either protocol. */
export type ProviderAction = GsmFusionAction | DhruAction;

/** The actions that place orders: a failure after sending leaves their outcome unknown. */
const PLACING_ACTIONS: ReadonlySet<ProviderAction> = new Set<ProviderAction>(['placeorder', 'placeimeiorder', 'placeimeiorderbulk']);

/** Whether a call of this action may place orders. */
export function placesOrders(action: ProviderAction): boolean {
  return PLACING_ACTIONS.has(action);
}

/** One failed call, as the HTTP layer and the reply parser saw it. */
export type CallFailure =
  /** A socket, DNS, TLS or undici error. `requestSent` is undefined when not known. */
  | { kind: 'network'; error: unknown; requestSent?: boolean }
  /** Our own limit on the whole call ran out. */
  | { kind: 'timeout'; timeoutMs: number; requestSent: boolean }
  /** The caller's signal fired (shutdown). `reason` is the signal's reason. */
  | { kind: 'caller-abort'; requestSent: boolean; reason?: unknown }
  /** A reply with a status other than 2xx and no provider `<error>` in it. */
  | { kind: 'http-status'; status: number; retryAfter?: string | undefined }
  /** A 2xx reply that was cut short, too large, or not a reply we can read. */
  | { kind: 'bad-reply'; status: number; problem: string; salvaged?: readonly PlacedOrder[] }
  /** The provider's `<error>text</error>`. */
  | { kind: 'provider-error'; status: number; message: string };

export interface FailureContext {
  action: ProviderAction;
  /** Texts never to repeat in a message (the API key, the user name). Default: none. */
  secrets?: readonly string[];
  /** The clock for an HTTP-date `Retry-After`. Default: the current time. */
  now?: Date;
}

/** Provider texts that mean the credentials are wrong, compared by letters only, lower case. */
const AUTH_REFUSALS: ReadonlySet<string> = new Set(['invaliduser', 'invalidapikey']);

/** Errors raised before a single byte of the request can have been written. */
const NOT_SENT_CODES: ReadonlyMap<string, string> = new Map([
  ['ECONNREFUSED', 'the provider refused the connection'],
  ['EHOSTUNREACH', 'the provider host is unreachable'],
  ['ENETUNREACH', 'the network is unreachable'],
  ['EHOSTDOWN', 'the provider host is down'],
  ['ENETDOWN', 'the network is down'],
  ['EADDRNOTAVAIL', 'no local address to reach the provider'],
  ['ENOTFOUND', 'the provider host name could not be resolved'],
  ['EAI_AGAIN', 'the provider host name could not be resolved (DNS lookup failed)'],
  ['EAI_FAIL', 'the provider host name could not be resolved (DNS lookup failed)'],
  ['EAI_NONAME', 'the provider host name could not be resolved'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connecting to the provider timed out'],
]);

const TLS_CERT_CODES: ReadonlySet<string> = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'EPROTO',
]);

/** Errors after which the request may have reached the provider. */
const SENT_CODES: ReadonlyMap<string, string> = new Map([
  ['ECONNRESET', 'the provider reset the connection'],
  ['EPIPE', 'the connection to the provider broke'],
  ['UND_ERR_SOCKET', 'the provider closed the connection'],
  ['UND_ERR_HEADERS_TIMEOUT', 'the provider sent no reply in time'],
  ['UND_ERR_BODY_TIMEOUT', 'the provider stopped sending its reply'],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'the provider reply was cut short'],
  ['ETIMEDOUT', 'the connection to the provider timed out'],
]);

/** Maps one failed call to the `ProviderError` subclass the engine acts on. */
export function classifyFailure(failure: CallFailure, context: FailureContext): ProviderError {
  const { action } = context;
  switch (failure.kind) {
    case 'timeout':
      return failure.requestSent
        ? unknown(`provider timed out after ${failure.timeoutMs} ms during ${action}`, action)
        : safe(`provider could not be reached within ${failure.timeoutMs} ms for ${action}`, action);
    case 'caller-abort':
      return failure.requestSent
        ? unknown(`${action} call aborted by the caller after the request was sent`, action, {}, failure.reason)
        : safe(`${action} call aborted by the caller before the request was sent`, action, {}, failure.reason);
    case 'network':
      return classifyNetwork(failure.error, failure.requestSent, action);
    case 'http-status':
      return classifyStatus(failure.status, failure.retryAfter, context);
    case 'bad-reply':
      return unknown(
        `provider reply to ${action} could not be read (HTTP ${failure.status}): ${failure.problem}`,
        action,
        failure.salvaged !== undefined && failure.salvaged.length > 0
          ? { httpStatus: failure.status, salvaged: failure.salvaged }
          : { httpStatus: failure.status },
      );
    case 'provider-error':
      return classifyRefusal(failure.message, failure.status, context);
  }
}

function classifyNetwork(error: unknown, requestSent: boolean | undefined, action: ProviderAction): ProviderError {
  const codes = errorCodes(error);
  const shown = codes[0] ?? 'no error code';
  const notSentReason = codes.map(describeNotSentCode).find((text) => text !== undefined);
  const sentReason = codes.map((code) => SENT_CODES.get(code)).find((text) => text !== undefined);

  const sent = requestSent ?? notSentReason === undefined;
  if (!sent) {
    const reason = notSentReason ?? 'the request could not be sent';
    return safe(`${reason} (${shown}) for ${action}`, action, {}, error);
  }
  const reason = sentReason ?? (isOtherSideClosed(error) ? 'the provider closed the connection' : 'the connection to the provider failed');
  return unknown(`${reason} (${shown}) during ${action}`, action, {}, error);
}

function describeNotSentCode(code: string): string | undefined {
  const known = NOT_SENT_CODES.get(code);
  if (known !== undefined) return known;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || TLS_CERT_CODES.has(code)) {
    return 'the TLS handshake with the provider failed';
  }
  return undefined;
}

function classifyStatus(status: number, retryAfter: string | undefined, context: FailureContext): ProviderError {
  const { action } = context;
  const retryAfterSeconds = parseRetryAfter(retryAfter, context.now ?? new Date());
  const details: ProviderErrorDetails = { httpStatus: status };
  if (retryAfterSeconds !== undefined) details.retryAfterSeconds = retryAfterSeconds;
  const wait = retryAfterSeconds === undefined ? '' : `, retry after ${retryAfterSeconds} s`;

  if (status === 429) {
    return safe(`provider asked us to slow down (HTTP 429${wait}) for ${action}`, action, { ...details, rateLimited: true });
  }
  if (status === 503) return safe(`provider is unavailable (HTTP 503${wait}) for ${action}`, action, details);
  if (status >= 500) return unknown(`provider failed with HTTP ${status} during ${action}`, action, details);
  if (status >= 300 && status < 400) {
    return new ProviderPermanentError(
      `provider redirected ${action} (HTTP ${status}); check provider.baseUrl`,
      details,
    );
  }
  if (status >= 400) return new ProviderPermanentError(`provider refused ${action} with HTTP ${status}`, details);
  return unknown(`provider answered ${action} with unexpected HTTP ${status}`, action, details);
}

function classifyRefusal(message: string, status: number, context: FailureContext): ProviderError {
  const text = cleanProviderText(message, context.secrets ?? []);
  const details: ProviderErrorDetails = { httpStatus: status };
  const key = message.toLowerCase().replace(/[^a-z]/g, '');
  if (AUTH_REFUSALS.has(key)) {
    return new ProviderAuthError(`provider refused the credentials: ${text} (HTTP ${status})`, details);
  }
  return new ProviderPermanentError(
    `provider refused ${context.action}: ${text === '' ? 'no reason given' : text} (HTTP ${status})`,
    details,
  );
}

/**
 * `Retry-After` in whole seconds: either delay-seconds or an HTTP date (rounded up, never
 * negative). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  if (!/[a-z]/i.test(trimmed)) return undefined; // a bare negative or fractional number
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** The provider's text as it may appear in a message: one line, bounded, secrets removed. */
function cleanProviderText(text: string, secrets: readonly string[]): string {
  const clean = scrubSecrets(text.replace(/\s+/g, ' ').trim(), secrets);
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}

function safe(text: string, action: ProviderAction, details: ProviderErrorDetails = {}, cause?: unknown): ProviderSafeError {
  const tail = placesOrders(action) ? '; no order was placed' : '';
  return new ProviderSafeError(`${text}${tail}`, details, cause);
}

function unknown(
  text: string,
  action: ProviderAction,
  details: ProviderErrorDetails = {},
  cause?: unknown,
): ProviderUnknownOutcomeError {
  const tail = placesOrders(action) ? '; orders may have been placed' : '; the reply was lost';
  return new ProviderUnknownOutcomeError(`${text}${tail}`, details, cause);
}

/** Every `code` in an error, its `cause` chain and an AggregateError's `errors` (Happy Eyeballs). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 4) return [];
  const codes: string[] = [];
  const code: unknown = Reflect.get(error, 'code');
  if (typeof code === 'string') codes.push(code);
  const nested: unknown = Reflect.get(error, 'errors');
  if (Array.isArray(nested)) for (const inner of nested) codes.push(...errorCodes(inner, depth + 1));
  codes.push(...errorCodes(Reflect.get(error, 'cause'), depth + 1));
  return codes;
}

function isOtherSideClosed(error: unknown): boolean {
  return error instanceof Error && /other side closed/i.test(error.message);
}
