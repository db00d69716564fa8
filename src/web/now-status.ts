/**
 * The Now page's figures other than file progress: open orders, the calls budget, the provider,
 * alerts, readiness. The same object is rendered into the page, sent as `event: status`, and
 * answered by `GET /api/status`.
 */
import type { Db } from '../store/db.js';
import type { LiveState, ProviderState } from './live-state.js';
import type { HealthSnapshot, WebThreadOptions } from './protocol.js';
import { alertState, openOrders, type AlertState, type OpenOrders } from './queries/now.js';
import { statusView, type StatusView } from './status-view.js';

export interface NowStatus {
  simulated: boolean;
  openOrders: OpenOrders;
  /** How often open orders are asked about. */
  pollIntervalSeconds: number;
  calls: { lastMinute: number; budgetPerMinute: number };
  provider: ProviderState;
  alerts: AlertState;
  health: HealthSnapshot;
  /** The same, in the words the page shows. */
  view: StatusView;
}

export function readNowStatus(db: Db, live: LiveState, options: WebThreadOptions, now = Date.now()): NowStatus {
  const status: Omit<NowStatus, 'view'> = {
    simulated: options.simulated,
    openOrders: openOrders(db),
    pollIntervalSeconds: options.pollIntervalSeconds,
    calls: { lastMinute: live.callsLastMinute(now), budgetPerMinute: options.maxCallsPerMinute },
    provider: live.provider,
    alerts: alertState(db, options.alertMinIntervalMinutes),
    health: { ...live.health },
  };
  return { ...status, view: statusView(status, now) };
}
