/**
 * DHRU refusals have no codes, only texts that differ per server (dhru-fusion-api.md,
 * "Errors"): they are recognised by configurable patterns, and a text no pattern knows fails
 * safe (permanent for its row, nothing assumed ordered, the text shown). Pure.
 */
import {
  ProviderAuthError,
  type ProviderError,
  type ProviderErrorDetails,
  ProviderNoCreditError,
  ProviderPermanentError,
} from '../../errors.js';
import { scrubSecrets } from '../../secrets.js';
import type { DhruAction } from '../classify.js';

/**
 * Texts, each matched case-insensitively anywhere in the provider's message (runs of white
 * space count as one space). Lists replace the defaults one by one.
 */
export interface DhruRefusalPatterns {
  /** Bad user name or key, or a key bound to another IP: stop submitting, alert. */
  credentials: readonly string[];
  /** No money: nothing ordered; stop submitting for the account until the balance is raised. */
  credit: readonly string[];
  /** The server does not know the action: for a bulk action, use single calls. */
  unknownAction: readonly string[];
  /** The server could not read our parameters (or did not see the ID or IMEI in them): an encoding mismatch. */
  unreadableInput: readonly string[];
  /** Placing: the server already holds an order for the IMEI on that service. */
  duplicate: readonly string[];
  /** Placing: the IMEI is malformed (not ordered). */
  badImei: readonly string[];
  /** Reading: the order id is unknown here (another account's, or none at all). */
  unknownOrder: readonly string[];
}

export type RefusalKind = keyof DhruRefusalPatterns | 'other';

export const DEFAULT_REFUSAL_PATTERNS: Readonly<DhruRefusalPatterns> = Object.freeze({
  credentials: [
    'authentication failed',
    'api access key is required',
    'invalid api access key',
    'invalid api key',
    'invalid username',
    'unauthorized ip',
    'ip is not allowed',
    'ip address is not allowed',
  ],
  credit: ['not enough credit', 'insufficient credit', 'insufficient balance', 'insufficient fund', 'overdue limit exceeded'],
  unknownAction: ['invalid action', 'unknown action'],
  unreadableInput: [
    'invalid parameters',
    'parameters must be',
    "parameter 'id' required",
    'missing parameters',
    'service id is required',
    'no imei found',
  ],
  duplicate: ['duplicate imei', 'imei already exists', 'already ordered'],
  badImei: ['invalid imei!', 'invalid imei[', 'invalid imei number', 'imei is invalid', 'wrong imei'],
  unknownOrder: ['no imei found', 'invalid service id', 'order not found', 'no order found', 'invalid order'],
});

/** The defaults, with each list the caller gives in place of its default. */
export function refusalPatterns(overrides: Partial<DhruRefusalPatterns> = {}): DhruRefusalPatterns {
  return { ...DEFAULT_REFUSAL_PATTERNS, ...overrides };
}

/** Which kinds are looked for, in order, by what the call was doing. */
const KINDS_BY_CONTEXT = {
  // An ID and an IMEI were sent: `No IMEI found` means the server did not read them.
  place: ['credentials', 'credit', 'unknownAction', 'unreadableInput', 'duplicate', 'badImei'],
  // An order id was sent: `No IMEI Found` is an order the server does not know.
  read: ['credentials', 'unknownAction', 'unknownOrder', 'unreadableInput'],
  other: ['credentials', 'credit', 'unknownAction', 'unreadableInput'],
} as const satisfies Record<string, readonly (keyof DhruRefusalPatterns)[]>;

export type RefusalContext = keyof typeof KINDS_BY_CONTEXT;

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** What a refusal text means, in the context of the call it answered. */
export function refusalKind(text: string, patterns: DhruRefusalPatterns, context: RefusalContext): RefusalKind {
  const message = normalise(text);
  for (const kind of KINDS_BY_CONTEXT[context]) {
    if (patterns[kind].some((pattern) => pattern.trim() !== '' && message.includes(normalise(pattern)))) return kind;
  }
  return 'other';
}

/** The provider's text as it may appear in a message: one line, bounded, secrets removed. */
export function cleanRefusalText(text: string, secrets: readonly string[]): string {
  const clean = scrubSecrets(text.replace(/\s+/g, ' ').trim(), secrets);
  if (clean === '') return 'no reason given';
  return clean.length > 300 ? `${clean.slice(0, 300)}...` : clean;
}

/** Added to messages of refusals that point at `provider.dhru.singleEncoding`. */
const ENCODING_HINT = '; the server may read parameters in the other encoding (provider.dhru.singleEncoding)';

/** Added to credential refusals: some servers bind a key to the first IP it was used from. */
function ipHint(text: string): string {
  return /\bip\b/i.test(text) ? '; the calling machine\'s IP address may have changed' : '';
}

/**
 * The error for a refusal of the whole call, by its kind. Bad credentials and no credit halt
 * submission; everything else is permanent for the call. `text` must already be clean.
 */
export function refusalError(
  kind: RefusalKind,
  text: string,
  action: DhruAction,
  details: ProviderErrorDetails,
): ProviderError {
  const status = details.httpStatus === undefined ? '' : ` (HTTP ${details.httpStatus})`;
  switch (kind) {
    case 'credentials':
      return new ProviderAuthError(`provider refused the credentials: ${text}${status}${ipHint(text)}`, details);
    case 'credit':
      return new ProviderNoCreditError(`provider refused ${action} for lack of credit: ${text}${status}; nothing was ordered`, details);
    case 'unknownAction':
      return new ProviderPermanentError(`provider does not know the action ${action}: ${text}${status}`, details);
    case 'unreadableInput':
      return new ProviderPermanentError(`provider could not read the parameters of ${action}: ${text}${status}${ENCODING_HINT}`, details);
    default:
      return new ProviderPermanentError(`provider refused ${action}: ${text}${status}`, details);
  }
}

/** Whether a refusal of this kind stops all ordering for the account. */
export function isAccountLevel(kind: RefusalKind): kind is 'credentials' | 'credit' {
  return kind === 'credentials' || kind === 'credit';
}
