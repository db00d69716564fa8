/**
 * `GET /metrics` (daemon-contract.md): Prometheus text from prom-client. Counters of calls and
 * orders are fed by the daemon's `call` events; gauges are read from the store at scrape time.
 * The main thread's process metrics (prom-client's defaults, prefixed `imei_daemon_`) are asked
 * of it and appended, so every name starts `imei_daemon_`. A store that cannot be read leaves its
 * gauges out and says so in `imei_daemon_database_readable`, rather than failing the scrape:
 * the call counters are still worth having while it lasts.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DatabaseUnreadableError } from '../errors.js';
import type { CallEvent } from '../events/daemon-events.js';
import { REPORT_STATUSES } from '../report/columns.js';
import type { Db } from '../store/db.js';
import type { LiveState } from './live-state.js';
import { RowsByStatus } from './queries/rows-by-status.js';

const CONDITION_KINDS = ['low-success', 'credentials', 'unreachable', 'output-blocked'] as const;

export interface MetricsDeps {
  read: <T>(query: (db: Db) => T) => T;
  live: LiveState;
  /** SSE connections open now. */
  liveClients: () => number;
}

export class DashboardMetrics {
  readonly registry = new Registry();
  private readonly calls: Counter<'action' | 'outcome'>;
  private readonly durations: Histogram<'action'>;
  private readonly ordersPlaced: Counter;
  private readonly rowsByStatus: RowsByStatus;
  private readable = true;

  constructor(private readonly deps: MetricsDeps) {
    const registers = [this.registry];
    this.rowsByStatus = new RowsByStatus(deps.read);
    this.calls = new Counter({
      name: 'imei_daemon_provider_calls_total',
      help: 'Provider calls since the daemon started, by action and how they ended (ok, rate_limited, failed, unknown_outcome, refused, bad_credentials).',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.durations = new Histogram({
      name: 'imei_daemon_provider_call_duration_seconds',
      help: 'How long provider calls took, answered or not.',
      labelNames: ['action'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.ordersPlaced = new Counter({
      name: 'imei_daemon_orders_placed_total',
      help: 'Orders the provider confirmed placing, since the daemon started.',
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'imei_daemon_rows',
      help: 'Rows of every file the daemon knows, by the STATUS their report shows.',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        const counts = await metrics.fromStore(() => metrics.rowsByStatus.counts());
        if (counts === undefined) return;
        for (const status of REPORT_STATUSES) this.set({ status }, counts[status] ?? 0);
      },
    });
    this.storeGauge('imei_daemon_open_orders', 'Orders placed whose final result is not in yet.', (db) =>
      db.prepare('SELECT COUNT(*) FROM orders WHERE final = 0').pluck().get() as number,
    );
    this.storeGauge('imei_daemon_files_in_flight', 'Files being read, sent or reported.', (db) =>
      db.prepare(`SELECT COUNT(*) FROM files WHERE state IN ('reading', 'submitting', 'reporting')`).pluck().get() as number,
    );
    new Gauge({
      name: 'imei_daemon_alert_active',
      help: '1 while an alert condition stands (low success, bad credentials, provider unreachable, output blocked, database not writable), else 0.',
      registers,
      async collect() {
        this.reset();
        const standing = await metrics.fromStore(async () =>
          metrics.deps.read((db) => db.prepare('SELECT COUNT(*) FROM alert_conditions').pluck().get() as number),
        );
        const databaseDown = !metrics.deps.live.health.databaseWritable;
        if (standing !== undefined || databaseDown) this.set((standing ?? 0) > 0 || databaseDown ? 1 : 0);
      },
    });
    new Gauge({
      name: 'imei_daemon_alert_condition',
      help: '1 for each alert condition that stands now, by kind.',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        const kinds = await metrics.fromStore(async () =>
          metrics.deps.read((db) => db.prepare('SELECT kind FROM alert_conditions').pluck().all() as string[]),
        );
        if (kinds === undefined) return;
        for (const kind of CONDITION_KINDS) this.set({ kind }, kinds.includes(kind) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'imei_daemon_database_readable',
      help: '1 when the dashboard could read the checkpoints database at this scrape, else 0.',
      registers,
      collect() {
        this.set(metrics.readable ? 1 : 0);
      },
    });
    new Gauge({
      name: 'imei_daemon_database_writable',
      help: "1 when the daemon's last write probe of the checkpoints database succeeded, else 0.",
      registers,
      collect() {
        this.set(metrics.deps.live.health.databaseWritable ? 1 : 0);
      },
    });
    new Gauge({
      name: 'imei_daemon_provider_reachable',
      help: '0 when the last provider call got no answer (connection refused, timeout, 5xx), else 1 (also before the first call).',
      registers,
      collect() {
        this.set(metrics.deps.live.provider.reachable === false ? 0 : 1);
      },
    });
    new Gauge({
      name: 'imei_daemon_dashboard_live_clients',
      help: 'Dashboard pages (server-sent event streams) open now.',
      registers,
      collect() {
        this.set(metrics.deps.liveClients());
      },
    });
  }

  onCall(event: CallEvent): void {
    this.calls.inc({ action: event.action, outcome: event.outcome });
    this.durations.observe({ action: event.action }, event.durationMs / 1000);
    if (event.placed) this.ordersPlaced.inc(event.placed);
  }

  /** The text to serve: ours, then the main thread's process metrics. */
  async text(mainThreadText: string): Promise<string> {
    // Asked first: the gauges are collected concurrently, so this one cannot learn it from them.
    this.readable = (await this.fromStore(async () => this.deps.read((db) => db.prepare('SELECT 1').get()))) !== undefined;
    const ours = await this.registry.metrics();
    return `${ours.trimEnd()}\n${mainThreadText.trimEnd()}\n`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private storeGauge(name: string, help: string, query: (db: Db) => number): void {
    const metrics = this;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.reset();
        const value = await metrics.fromStore(async () => metrics.deps.read(query));
        if (value !== undefined) this.set(value);
      },
    });
  }

  /** Runs a store read for a gauge; an unreadable store leaves the gauge empty. */
  private async fromStore<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof DatabaseUnreadableError)) throw error;
      return undefined;
    }
  }
}
