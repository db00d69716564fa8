/**
 * The provider client the daemon runs: the protocol's client (createProviderClient) in a thread
 * of its own. Sending a call
 * and reading its reply (undici, the HTTP parser, the XML) took a sixth of the main thread's
 * time at 20,000 IMEIs, and the main thread is the one that must record each attempt before its
 * call and each reply after it; here that work runs beside it. Calls, answers and errors cross
 * as messages; a ProviderError comes back as the same class with the same details, so the
 * engine decides exactly as it would with the client in its own thread.
 */
import { Worker } from 'node:worker_threads';
import {
  ProviderAuthError,
  ProviderNoCreditError,
  ProviderPermanentError,
  ProviderSafeError,
  ProviderUnknownOutcomeError,
  type ProviderErrorDetails,
} from '../errors.js';
import type { ProviderCapabilities } from './capabilities.js';
import { initialCapabilities } from './create-client.js';
import type { ProviderClientOptions } from './options.js';
import type { FromProviderThread, ProviderAnswer, ProviderCall, ThreadFailure, ToProviderThread } from './thread-protocol.js';
import type { AccountBalance, CatalogueEntry, OrderResult, PlaceOrderResult, ProviderClient } from './types.js';

export interface ThreadedClientOptions {
  /** The thread's script. Default: provider-thread.js beside this module (dist/provider/). */
  workerUrl?: URL;
}

interface PendingCall {
  resolve: (answer: ProviderAnswer) => void;
  reject: (error: unknown) => void;
  /** Whether the call may have reached the provider: then losing the thread loses its outcome. */
  placesOrders: boolean;
}

const REBUILD: Readonly<Record<string, (message: string, details: ProviderErrorDetails) => Error>> = {
  IMEI_ERR_PROVIDER_SAFE: (message, details) => new ProviderSafeError(message, details),
  IMEI_ERR_PROVIDER_UNKNOWN: (message, details) => new ProviderUnknownOutcomeError(message, details),
  IMEI_ERR_PROVIDER_PERMANENT: (message, details) => new ProviderPermanentError(message, details),
  IMEI_ERR_PROVIDER_AUTH: (message, details) => new ProviderAuthError(message, details),
  IMEI_ERR_PROVIDER_NO_CREDIT: (message, details) => new ProviderNoCreditError(message, details),
};

function rebuildError(failure: ThreadFailure): Error {
  const rebuild = failure.code === undefined ? undefined : REBUILD[failure.code];
  return rebuild ? rebuild(failure.message, failure.details ?? {}) : new Error(failure.message);
}

export class ThreadedProviderClient implements ProviderClient {
  private worker: Worker | undefined;
  private readonly workerUrl: URL;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 0;
  private closing: Promise<void> | undefined;
  /** The thread's client's, as of its last answer (DHRU learns bulk support from calls). */
  private latestCapabilities: ProviderCapabilities;

  /** Throws ConfigError for a bad `baseUrl` now, as the clients do, not at the first call. */
  constructor(
    private readonly clientOptions: ProviderClientOptions,
    options: ThreadedClientOptions = {},
  ) {
    this.latestCapabilities = initialCapabilities(clientOptions);
    this.workerUrl = options.workerUrl ?? new URL('./provider-thread.js', import.meta.url);
    this.ensureWorker();
  }

  listServices(signal?: AbortSignal): Promise<CatalogueEntry[]> {
    return this.call({ action: 'listServices' }, signal) as Promise<CatalogueEntry[]>;
  }

  placeOrder(serviceId: string, imeis: readonly string[], signal?: AbortSignal): Promise<PlaceOrderResult> {
    return this.call({ action: 'placeOrder', serviceId, imeis }, signal) as Promise<PlaceOrderResult>;
  }

  getOrders(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[]> {
    return this.call({ action: 'getOrders', orderIds }, signal) as Promise<OrderResult[]>;
  }

  /** As the thread's client last said: DHRU's bulk support may change after a call. */
  capabilities(): ProviderCapabilities {
    return { ...this.latestCapabilities };
  }

  /** DHRU only; GSM Fusion rejects it with a ProviderPermanentError, sending nothing. */
  lookUpOrders(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[]> {
    return this.call({ action: 'lookUpOrders', orderIds }, signal) as Promise<OrderResult[]>;
  }

  /** DHRU only; GSM Fusion rejects it with a ProviderPermanentError, sending nothing. */
  accountInfo(signal?: AbortSignal): Promise<AccountBalance> {
    return this.call({ action: 'accountInfo' }, signal) as Promise<AccountBalance>;
  }

  /** DHRU only; GSM Fusion rejects it with a ProviderPermanentError, sending nothing. */
  probeBulk(signal?: AbortSignal): Promise<boolean> {
    return this.call({ action: 'probeBulk' }, signal) as Promise<boolean>;
  }

  /** Closes the pool once the calls in flight end, then stops the thread; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.closeThread();
    return this.closing;
  }

  private call(call: ProviderCall, signal: AbortSignal | undefined): Promise<ProviderAnswer> {
    if (this.closing !== undefined) return Promise.reject(new Error('the provider client is closed'));
    const worker = this.ensureWorker();
    const id = ++this.nextId;
    return new Promise<ProviderAnswer>((resolve, reject) => {
      const onAbort = (): void => this.send(worker, { kind: 'abort', id });
      const settled = (): void => {
        signal?.removeEventListener('abort', onAbort);
        // An idle thread never keeps the process alive; a call in flight does.
        if (this.pending.size === 0) worker.unref();
      };
      this.pending.set(id, {
        resolve: (answer) => {
          settled();
          resolve(answer);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
        placesOrders: call.action === 'placeOrder',
      });
      worker.ref();
      this.send(worker, { kind: 'call', id, call, aborted: signal?.aborted === true });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerUrl, { workerData: this.clientOptions });
    worker.unref();
    worker.on('message', (message: FromProviderThread) => this.onMessage(message));
    worker.on('error', (error) => this.onStopped(worker, error.message));
    worker.on('exit', (exitCode) => this.onStopped(worker, `exit code ${exitCode}`));
    this.worker = worker;
    return worker;
  }

  private onMessage(message: FromProviderThread): void {
    if (message.kind === 'closed') return;
    if (message.capabilities !== undefined) this.latestCapabilities = message.capabilities;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.kind === 'answer') call.resolve(message.answer);
    else call.reject(rebuildError(message.failure));
  }

  /**
   * The thread died with calls in flight. A `placeorder` may have reached the provider, so its
   * outcome is unknown (its rows are confirmed by resubmission); the others are safe to retry.
   * The next call starts a new thread.
   */
  private onStopped(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const message = `the provider thread stopped (${reason})`;
    for (const [id, call] of this.pending) {
      this.pending.delete(id);
      call.reject(call.placesOrders ? new ProviderUnknownOutcomeError(message) : new ProviderSafeError(message));
    }
  }

  private async closeThread(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const onMessage = (message: FromProviderThread): void => {
        if (message.kind !== 'closed') return;
        worker.off('message', onMessage);
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('exit', () => resolve());
      // Held until it answers: an unreferenced thread would let the process end mid-close.
      worker.ref();
      this.send(worker, { kind: 'close' });
    });
    this.worker = undefined;
    await worker.terminate();
  }

  private send(worker: Worker, message: ToProviderThread): void {
    worker.postMessage(message);
  }
}
