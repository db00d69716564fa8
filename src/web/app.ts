/** What every request handler of the dashboard can reach. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../store/db.js';
import type { Access, Auth } from './auth.js';
import type { LiveFeed } from './live-feed.js';
import type { LiveState } from './live-state.js';
import type { DashboardMetrics } from './metrics.js';
import type { LogLevel, WebThreadOptions } from './protocol.js';
import type { TrendsCache } from './queries/trends.js';
import type { LiveClients } from './sse.js';

export interface DashboardApp {
  options: WebThreadOptions;
  auth: Auth;
  /** Runs a query on the read-only connection; throws DatabaseUnreadableError (503). */
  read: <T>(query: (db: Db) => T) => T;
  live: LiveState;
  clients: LiveClients;
  feed: LiveFeed;
  metrics: DashboardMetrics;
  trends: TrendsCache;
  /** The main thread's process metrics, as Prometheus text. */
  mainMetrics: () => Promise<string>;
  log: (level: LogLevel, message: string, details?: Record<string, string | number | boolean>) => void;
}

export interface RequestContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** What the route's pattern captured, decoded. */
  params: string[];
  access: Access;
  app: DashboardApp;
}
