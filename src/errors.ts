/**
 * Every error the daemon raises on purpose, in one place, each with a stable `code`
 * (the style of Fastify's FST_ERR_*). Callers branch on `code` or `instanceof`, never on
 * message text. Messages never contain a secret: they are built from our own words and
 * from provider replies, never from the request we sent.
 */

import type { PartialPlacement, PlacedOrder } from './provider/types.js';

export type ErrorCode =
  | 'IMEI_ERR_CONFIG'
  | 'IMEI_ERR_USAGE'
  | 'IMEI_ERR_LOCKED'
  | 'IMEI_ERR_PROVIDER_SAFE'
  | 'IMEI_ERR_PROVIDER_UNKNOWN'
  | 'IMEI_ERR_PROVIDER_PERMANENT'
  | 'IMEI_ERR_PROVIDER_AUTH'
  | 'IMEI_ERR_PROVIDER_NO_CREDIT'
  | 'IMEI_ERR_FILE_REJECTED'
  | 'IMEI_ERR_STOPPING'
  | 'IMEI_ERR_STORE_WRITE'
  | 'IMEI_ERR_READER_STOPPED'
  | 'IMEI_ERR_DB_UNREADABLE'
  | 'IMEI_ERR_UPLOAD_REFUSED';

export class DaemonError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad configuration: exit code 2, one line naming the key. */
export class ConfigError extends DaemonError {
  constructor(message: string) {
    super('IMEI_ERR_CONFIG', message);
  }
}

/** Bad command-line usage: exit code 2. */
export class UsageError extends DaemonError {
  constructor(message: string) {
    super('IMEI_ERR_USAGE', message);
  }
}

/** Another daemon holds the checkpoints folder: exit code 3. */
export class LockHeldError extends DaemonError {
  constructor(message: string) {
    super('IMEI_ERR_LOCKED', message);
  }
}

/**
 * How a failed provider call may be treated (design.md, "Which failures are safe to retry"):
 * - `safe`: the call certainly did not reach the order logic; resend freely.
 * - `unknown`: the call may have placed orders; its rows become `unknown` and are resubmitted,
 *   relying on the provider's duplicate refusal.
 * - `permanent`: the provider said no for good; never retried in a loop.
 */
export type FailureClass = 'safe' | 'unknown' | 'permanent';

export interface ProviderErrorDetails {
  /** HTTP status when a reply arrived. */
  httpStatus?: number;
  /** Seconds to wait before the next call, from `Retry-After`. */
  retryAfterSeconds?: number;
  /** True for HTTP 429: the provider asks us to slow down; not a failed attempt. */
  rateLimited?: boolean;
  /** The provider answered, but the reply did not account for every IMEI sent. */
  incompleteReply?: boolean;
  /** Orders a cut-off `placeorder` reply carried whole, before the cut: they were placed. */
  salvaged?: readonly PlacedOrder[];
  /**
   * A placing call that stopped part way (a bulk reply refusing later rows for an account-level
   * reason, a series of one-IMEI calls cut by a failure): what is known of each IMEI, every IMEI
   * sent in exactly one of its lists; it overrides the error's class for the IMEIs it lists.
   * `salvaged` repeats its placed orders.
   */
  partial?: PartialPlacement;
}

export abstract class ProviderError extends DaemonError {
  abstract readonly failureClass: FailureClass;
  readonly details: ProviderErrorDetails;
  constructor(code: ErrorCode, message: string, details: ProviderErrorDetails = {}, cause?: unknown) {
    super(code, message, { cause });
    this.details = details;
  }
}

export class ProviderSafeError extends ProviderError {
  readonly failureClass = 'safe';
  constructor(message: string, details: ProviderErrorDetails = {}, cause?: unknown) {
    super('IMEI_ERR_PROVIDER_SAFE', message, details, cause);
  }
}

export class ProviderUnknownOutcomeError extends ProviderError {
  readonly failureClass = 'unknown';
  constructor(message: string, details: ProviderErrorDetails = {}, cause?: unknown) {
    super('IMEI_ERR_PROVIDER_UNKNOWN', message, details, cause);
  }
}

export class ProviderPermanentError extends ProviderError {
  readonly failureClass = 'permanent';
  constructor(message: string, details: ProviderErrorDetails = {}, cause?: unknown) {
    super('IMEI_ERR_PROVIDER_PERMANENT', message, details, cause);
  }
}

/** Bad user name or API key: permanent, and stops all submission until the config changes. */
export class ProviderAuthError extends ProviderError {
  readonly failureClass = 'permanent';
  constructor(message: string, details: ProviderErrorDetails = {}) {
    super('IMEI_ERR_PROVIDER_AUTH', message, details);
  }
}

/**
 * The provider refused to order for lack of money (`Not enough credits`, `Insufficient
 * balance`, `Overdue limit exceeded`...): nothing was ordered. Like bad credentials it stops
 * submission for the account, but it ends when the balance is raised, so the rows wait rather
 * than fail.
 */
export class ProviderNoCreditError extends ProviderError {
  readonly failureClass = 'permanent';
  constructor(message: string, details: ProviderErrorDetails = {}) {
    super('IMEI_ERR_PROVIDER_NO_CREDIT', message, details);
  }
}

/** True for the refusals that stop all ordering for the account: bad credentials, no credit. */
export function haltsSubmission(error: unknown): error is ProviderAuthError | ProviderNoCreditError {
  return error instanceof ProviderAuthError || error instanceof ProviderNoCreditError;
}

/** A whole input file refused (empty, too large, binary, no IMEI column...). */
export class FileRejectedError extends DaemonError {
  constructor(message: string) {
    super('IMEI_ERR_FILE_REJECTED', message);
  }
}

/** Work refused because the daemon is shutting down. */
export class StoppingError extends DaemonError {
  constructor() {
    super('IMEI_ERR_STOPPING', 'the daemon is stopping');
  }
}

/** A message safe to show a user for any thrown value, with no stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The database refused a write (disk full, read-only); what it guarded did not happen. */
export class StoreWriteError extends DaemonError {
  /** `cause`: the database's own error, whose code (SQLITE_FULL...) says what is wrong. */
  constructor(message: string, cause?: unknown) {
    super('IMEI_ERR_STORE_WRITE', `cannot write to the database: ${message}`, { cause });
  }
}

/**
 * The thread that reads input files stopped (it crashed, or the daemon is closing) in the middle
 * of a read. Not the file's fault: the read is tried again like one cut by an I/O error.
 */
export class ReaderStoppedError extends DaemonError {
  constructor(reason: string) {
    super('IMEI_ERR_READER_STOPPED', `the file reader thread stopped: ${reason}`);
  }
}

/**
 * The dashboard cannot read the checkpoints database (locked, unreadable, missing). Its pages
 * answer 503 with this message; the daemon itself goes on.
 */
export class DatabaseUnreadableError extends DaemonError {
  constructor(reason: string, cause?: unknown) {
    super('IMEI_ERR_DB_UNREADABLE', `the dashboard cannot read the database just now: ${reason}`, { cause });
  }
}

/** An upload the dashboard refuses; `status` is the HTTP answer (400, 403, 413). */
export class UploadRefusedError extends DaemonError {
  constructor(
    readonly status: 400 | 403 | 413,
    message: string,
  ) {
    super('IMEI_ERR_UPLOAD_REFUSED', message);
  }
}
