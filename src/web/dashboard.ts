/**
 * The dashboard put together: the read-only store, live state, feed, metrics and the server.
 * The thread entry (web-thread.ts) runs one of these; tests run one in-process.
 */
import type { Db } from '../store/db.js';
import type { DashboardApp } from './app.js';
import { Auth } from './auth.js';
import { LiveFeed } from './live-feed.js';
import { LiveState } from './live-state.js';
import { DashboardMetrics } from './metrics.js';
import { readNowStatus } from './now-status.js';
import type { ForwardedEvent, HealthSnapshot, LogLevel, WebThreadOptions } from './protocol.js';
import { TrendsCache } from './queries/trends.js';
import { ReadStore } from './read-store.js';
import { DashboardServer } from './server.js';
import { LiveClients } from './sse.js';

export interface DashboardHooks {
  log: (level: LogLevel, message: string, details?: Record<string, string | number | boolean>) => void;
  /** The main thread's process metrics (Prometheus text). Default: none. */
  mainMetrics?: () => Promise<string>;
}

/** Trends of the last 30 days are kept warm, one day per step, so the page never waits for a month's rows. */
const WARM_STEP_MS = 250;
const WARM_IDLE_MS = 60_000;
const WARM_DAYS = 30;

export class Dashboard {
  readonly app: DashboardApp;
  readonly server: DashboardServer;
  private readonly store: ReadStore;
  private warmTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: WebThreadOptions, hooks: DashboardHooks) {
    this.store = new ReadStore({ path: options.databasePath });
    const read = <T>(query: (db: Db) => T): T => this.store.read(query);
    const live = new LiveState();
    const clients = new LiveClients();
    const feed = new LiveFeed({ read, clients, status: (db) => readNowStatus(db, live, options) });
    const metrics = new DashboardMetrics({ read, live, liveClients: () => clients.size });
    this.app = {
      options,
      auth: new Auth({ token: options.token }),
      read,
      live,
      clients,
      feed,
      metrics,
      trends: new TrendsCache(),
      mainMetrics: hooks.mainMetrics ?? (() => Promise.resolve('')),
      log: hooks.log,
    };
    this.server = new DashboardServer(this.app);
  }

  listen(): Promise<string> {
    return this.server.listen(this.app.options.host, this.app.options.port).then((url) => {
      this.scheduleWarm(WARM_STEP_MS);
      return url;
    });
  }

  onEvents(events: readonly ForwardedEvent[]): void {
    for (const forwarded of events) {
      if (forwarded.name === 'call') {
        this.app.live.onCall(forwarded.event);
        this.app.metrics.onCall(forwarded.event);
        this.app.feed.callEnded();
      } else if (forwarded.name === 'file-changed') {
        this.app.feed.filesChanged(forwarded.event.fileIds, forwarded.event.reason === 'results');
      } else {
        this.app.feed.filesChanged([forwarded.event.fileId], false);
      }
    }
  }

  setHealth(health: HealthSnapshot): void {
    this.app.live.health = health;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.app.feed.stop();
    await this.server.close();
    this.store.close();
  }

  private scheduleWarm(delayMs: number): void {
    if (this.closed) return;
    this.warmTimer = setTimeout(() => {
      let more = false;
      try {
        more = this.store.read((db) => this.app.trends.warmOne(db, WARM_DAYS));
      } catch {
        // Unreadable for now: tried again later, like a page would be.
      }
      this.scheduleWarm(more ? WARM_STEP_MS : WARM_IDLE_MS);
    }, delayMs);
    this.warmTimer.unref();
  }
}
