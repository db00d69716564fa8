/**
 * The main thread's side of the dashboard: starts its thread, forwards the daemon's events and
 * readiness to it, answers its requests for the main thread's metrics, and logs for it. Nothing
 * here throws into the daemon: a dashboard that cannot listen (port in use) or whose thread dies
 * is logged, and the daemon goes on working without it (daemon-contract.md, `web.port`).
 */
import { Worker } from 'node:worker_threads';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DaemonEvents } from '../events/daemon-events.js';
import type { Logger } from '../log.js';
import type { ForwardedEvent, FromWebThread, HealthSnapshot, ToWebThread, WebThreadOptions } from './protocol.js';

/** Whether the page is served, for the log, `status` and tests. */
export type WebState = { served: true; url: string } | { served: false; reason: string };

export interface WebHostDeps {
  events: DaemonEvents;
  logger: Logger;
  /** Read every HEALTH_POLL_MS and sent on when it changes. */
  health: () => HealthSnapshot;
  /** Told each time the state changes (listening, failed, stopped). Default: nothing. */
  onState?: (state: WebState) => void;
  /** The thread's script. Default: web-thread.js beside this module (dist/web/). */
  workerUrl?: URL;
}

/** Events are posted in batches: a busy daemon (hundreds of calls a second) posts a few messages. */
const FLUSH_MS = 50;
const HEALTH_POLL_MS = 1000;
/** A thread that died after it served is restarted after this, doubling, up to RESTART_MAX_MS. */
const RESTART_FIRST_MS = 2000;
const RESTART_MAX_MS = 5 * 60_000;
/** How long `close` waits for the thread to close its connections before it is terminated. */
const CLOSE_GRACE_MS = 2000;

/** One registry of the main thread's own process metrics; prom-client's collectors are per process. */
let mainRegistry: Registry | undefined;

function defaultMetricsRegistry(): Registry {
  if (!mainRegistry) {
    mainRegistry = new Registry();
    // Every name starts imei_daemon_ (the contract), the defaults too: process_cpu_... -> imei_daemon_process_cpu_...
    collectDefaultMetrics({ register: mainRegistry, prefix: 'imei_daemon_' });
  }
  return mainRegistry;
}

export class WebHost {
  private worker: Worker | undefined;
  private buffer: ForwardedEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly healthTimer: NodeJS.Timeout;
  private lastHealth = '';
  private readonly unsubscribe: (() => void)[];
  private state: WebState = { served: false, reason: 'starting' };
  private readonly settledOnce: Promise<WebState>;
  private settle: ((state: WebState) => void) | undefined;
  private restartDelayMs = RESTART_FIRST_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: WebThreadOptions,
    private readonly deps: WebHostDeps,
  ) {
    this.settledOnce = new Promise((resolve) => {
      this.settle = resolve;
    });
    const forward = (event: ForwardedEvent): void => this.enqueue(event);
    this.unsubscribe = [
      deps.events.on('call', (event) => forward({ name: 'call', event })),
      deps.events.on('file-changed', (event) => forward({ name: 'file-changed', event })),
      deps.events.on('file-reported', (event) => forward({ name: 'file-reported', event: { fileId: event.fileId, firstTime: event.firstTime } })),
    ];
    this.healthTimer = setInterval(() => this.sendHealth(false), HEALTH_POLL_MS);
    this.healthTimer.unref();
    this.startThread();
  }

  /** Resolves once the page is served or has failed to start; never rejects. */
  ready(): Promise<WebState> {
    return this.settledOnce;
  }

  get current(): WebState {
    return this.state;
  }

  /** Stops serving: open pages are disconnected, the thread ends. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.closeThread();
    return this.closing;
  }

  private startThread(): void {
    const url = this.deps.workerUrl ?? new URL('./web-thread.js', import.meta.url);
    const worker = new Worker(url, { workerData: this.options });
    this.worker = worker;
    worker.unref();
    worker.on('message', (message: FromWebThread) => this.onMessage(message));
    worker.on('error', (error) => this.onStopped(worker, error.message));
    worker.on('exit', (code) => this.onStopped(worker, `exit code ${code}`));
    this.sendHealth(true);
  }

  private onMessage(message: FromWebThread): void {
    switch (message.kind) {
      case 'listening':
        this.restartDelayMs = RESTART_FIRST_MS;
        this.deps.logger.info({ url: message.url }, `dashboard at ${message.url}`);
        this.setState({ served: true, url: message.url });
        return;
      case 'listen-failed': {
        const where = `${this.options.host}:${this.options.port}`;
        const reason =
          message.code === 'EADDRINUSE'
            ? `port ${this.options.port} on ${this.options.host} is in use`
            : `cannot listen on ${where}: ${message.message}`;
        this.deps.logger.error({ code: message.code }, `dashboard not served: ${reason}; the daemon goes on without it`);
        this.setState({ served: false, reason });
        this.stopThread();
        return;
      }
      case 'metrics-request':
        void defaultMetricsRegistry()
          .metrics()
          .then((text) => this.post({ kind: 'metrics', requestId: message.requestId, text }))
          .catch(() => this.post({ kind: 'metrics', requestId: message.requestId, text: '' }));
        return;
      case 'log':
        this.deps.logger[message.level](message.details, message.message);
        return;
      case 'closed':
        return;
    }
  }

  private onStopped(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.closing || !this.state.served) {
      if (!this.closing && !this.state.served && this.state.reason === 'starting') {
        this.deps.logger.error({ reason }, 'dashboard thread stopped before it could serve; the daemon goes on without it');
        this.setState({ served: false, reason: `the dashboard thread stopped: ${reason}` });
      }
      return;
    }
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, RESTART_MAX_MS);
    this.deps.logger.warn({ reason, restartInMs: delay }, 'dashboard thread stopped; starting it again');
    this.setState({ served: false, reason: `restarting after: ${reason}` });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.closing) this.startThread();
    }, delay);
    this.restartTimer.unref();
  }

  private setState(state: WebState): void {
    this.state = state;
    this.settle?.(state);
    this.settle = undefined;
    try {
      this.deps.onState?.(state);
    } catch (error) {
      this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'cannot record the dashboard state');
    }
  }

  private enqueue(event: ForwardedEvent): void {
    if (!this.worker) return;
    this.buffer.push(event);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const events = this.buffer;
    this.buffer = [];
    if (events.length > 0) this.post({ kind: 'events', events });
  }

  private sendHealth(always: boolean): void {
    let health: HealthSnapshot;
    try {
      health = this.deps.health();
    } catch {
      return;
    }
    const text = JSON.stringify(health);
    if (!always && text === this.lastHealth) return;
    this.lastHealth = text;
    this.post({ kind: 'health', health });
  }

  private post(message: ToWebThread): void {
    try {
      this.worker?.postMessage(message);
    } catch {
      // The thread is gone; its exit handler decides what happens next.
    }
  }

  private stopThread(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }

  private async closeThread(): Promise<void> {
    clearInterval(this.healthTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    const worker = this.worker;
    if (worker) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_GRACE_MS);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        worker.on('message', (message: FromWebThread) => {
          if (message.kind === 'closed') done();
        });
        worker.once('exit', done);
        this.post({ kind: 'close' });
      });
      this.worker = undefined;
      await worker.terminate();
    }
    if (this.state.served) this.setState({ served: false, reason: 'the daemon stopped' });
  }
}
