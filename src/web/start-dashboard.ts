/**
 * `start` serves the dashboard when `web.enabled`: the thread's settings from the configuration,
 * and its state kept in the store's meta table, where `status` reads it ("port in use").
 */
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/load.js';
import type { DaemonEvents } from '../events/daemon-events.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { HealthSnapshot, WebThreadOptions } from './protocol.js';
import { WebHost, type WebState } from './web-host.js';

/** Meta key holding the dashboard's WebState as JSON, with the time it was set. */
export const DASHBOARD_STATE_KEY = 'dashboard';

export interface StartDashboardDeps {
  events: DaemonEvents;
  logger: Logger;
  store: Store;
  health: () => HealthSnapshot;
}

export function webThreadOptions(config: ResolvedConfig): WebThreadOptions {
  return {
    host: config.web.host,
    port: config.web.port,
    token: config.web.token,
    upload: config.web.upload,
    inboxDir: config.paths.inbox,
    processedDir: config.paths.processed,
    databasePath: join(config.paths.checkpoints, 'imei-daemon.sqlite'),
    simulated: config.simulated,
    maxFileBytes: config.limits.maxFileBytes,
    maxCallsPerMinute: config.submission.maxCallsPerMinute,
    alertThreshold: config.alerts.threshold,
    alertMinIntervalMinutes: config.alerts.minIntervalMinutes,
    pollIntervalSeconds: config.results.pollIntervalSeconds,
  };
}

/** Starts serving, or returns undefined when `web.enabled` is false. Never throws. */
export function startDashboard(config: ResolvedConfig, deps: StartDashboardDeps): WebHost | undefined {
  if (!config.web.enabled) return undefined;
  const remember = (state: WebState): void => {
    if (deps.store.db.open) deps.store.setMeta(DASHBOARD_STATE_KEY, JSON.stringify({ ...state, at: new Date().toISOString() }));
  };
  try {
    return new WebHost(webThreadOptions(config), { events: deps.events, logger: deps.logger, health: deps.health, onState: remember });
  } catch (error) {
    deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'dashboard not served; the daemon goes on without it');
    return undefined;
  }
}
