/**
 * One DHRU call over HTTP: the five form fields to `{base}/api/index.php`, and the reply sorted
 * into what the caller must decide on. Transport failures are thrown classified (design.md,
 * "Which failures are safe to retry"); a provider `ERROR`, with whatever HTTP status, comes back
 * as a refusal for the caller to read in the context of its call.
 */
import { Pool } from 'undici';
import type { ProviderError } from '../../errors.js';
import { type CallFailure, type DhruAction, classifyFailure } from '../classify.js';
import { parseBaseUrl } from '../gsmfusion-client.js';
import { type HttpReply, postForm } from '../http-post.js';
import { type JsonObject, errorText, readJsonObject } from './json-reply.js';
import { cleanRefusalText } from './refusals.js';

export interface DhruConnection {
  /** Server root, possibly with a path (`https://site/public`); a trailing `/api/index.php` is dropped. */
  baseUrl: string;
  /** The account's user name (some panels want the e-mail). Secret. */
  username: string;
  /** The API access key. Secret. */
  apiKey: string;
  /** Limit on one whole call. */
  timeoutMs: number;
  /** Keep-alive connections held. */
  connections: number;
  /** Largest reply accepted, in bytes. */
  maxReplyBytes: number;
}

/** What a call that reached the server came back with. */
export type DhruAnswer =
  /** A JSON object without `ERROR`, with a 2xx status. */
  | { kind: 'reply'; status: number; json: JsonObject }
  /** The provider's `ERROR` (any status but 429 and 503): nothing was done. `text` is clean. */
  | { kind: 'refusal'; status: number; text: string; json: JsonObject }
  /** A 2xx whose body is empty or not a JSON object: for a placing call, an unknown outcome. */
  | { kind: 'unreadable'; status: number; problem: string; body: string };

export const DHRU_API_PATH = '/api/index.php';
/** undici's own default; below a long `timeoutMs` so a dead host fails fast and safe. */
const MAX_CONNECT_TIMEOUT_MS = 10_000;

/** The endpoint path for a configured base: a trailing `/api/index.php` and slashes dropped, one `/` joined. */
export function dhruEndpointPath(baseUrl: string): { origin: string; path: string } {
  const url = parseBaseUrl(baseUrl);
  const prefix = url.pathname
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '')
    .replace(/\/api\/index\.php$/i, '')
    .replace(/\/+$/, '');
  return { origin: url.origin, path: `${prefix}${DHRU_API_PATH}` };
}

export class DhruTransport {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly secrets: readonly string[];
  private closing: Promise<void> | undefined;

  constructor(private readonly connection: DhruConnection) {
    const { origin, path } = dhruEndpointPath(connection.baseUrl);
    this.path = path;
    // A very short user name would blank out ordinary words; the key is always hidden.
    this.secrets = connection.username.length >= 4 ? [connection.apiKey, connection.username] : [connection.apiKey];
    this.pool = new Pool(origin, {
      connections: connection.connections,
      headersTimeout: connection.timeoutMs,
      bodyTimeout: connection.timeoutMs,
      connect: { timeout: Math.min(MAX_CONNECT_TIMEOUT_MS, connection.timeoutMs) },
    });
  }

  /** Texts never to repeat in a message. */
  get secretTexts(): readonly string[] {
    return this.secrets;
  }

  /** Sends one call; throws the classified ProviderError when no usable answer came back. */
  async call(action: DhruAction, parameters: string | undefined, signal?: AbortSignal): Promise<DhruAnswer> {
    if (this.closing !== undefined) throw new Error('the provider client is closed');
    const form: Record<string, string> = {
      username: this.connection.username,
      apiaccesskey: this.connection.apiKey,
      action,
      requestformat: 'JSON',
    };
    if (parameters !== undefined) form['parameters'] = parameters;
    const outcome = await postForm(this.pool, {
      path: this.path,
      form,
      timeoutMs: this.connection.timeoutMs,
      signal,
      maxReplyBytes: this.connection.maxReplyBytes,
      accept: 'application/json, */*',
    });
    if (!outcome.ok) throw this.fail(outcome.failure, action);
    return this.sort(outcome.reply, action);
  }

  /** A failure as the ProviderError the engine acts on, secrets removed. */
  fail(failure: CallFailure, action: DhruAction): ProviderError {
    return classifyFailure(failure, { action, secrets: this.secrets });
  }

  /** Cleans a provider text for a message. */
  clean(text: string): string {
    return cleanRefusalText(text, this.secrets);
  }

  close(): Promise<void> {
    this.closing ??= this.pool.close();
    return this.closing;
  }

  private sort(reply: HttpReply, action: DhruAction): DhruAnswer {
    const { status } = reply;
    // 429 and 503 never reached the order logic, whatever their body says: retry after a pause.
    if (status === 429 || status === 503) {
      throw this.fail({ kind: 'http-status', status, retryAfter: firstHeader(reply, 'retry-after') }, action);
    }
    const read = readJsonObject(reply.body);
    if (read.ok) {
      const refusal = errorText(read.value);
      // A reply keyed by our references has no top-level ERROR; one that has is the whole call
      // refused. An empty ERROR (`"ERROR":[]` beside a SUCCESS) refuses nothing.
      if (refusal !== undefined && refusal !== '') return { kind: 'refusal', status, text: this.clean(refusal), json: read.value };
      if (isSuccess(status)) return { kind: 'reply', status, json: read.value };
    }
    if (!isSuccess(status)) {
      throw this.fail({ kind: 'http-status', status, retryAfter: firstHeader(reply, 'retry-after') }, action);
    }
    return { kind: 'unreadable', status, problem: read.ok ? 'unexpected reply' : read.problem, body: reply.body };
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function firstHeader(reply: HttpReply, name: string): string | undefined {
  const value = reply.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
