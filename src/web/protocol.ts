/**
 * What crosses between the daemon's main thread and the dashboard's thread. The dashboard runs
 * in a thread of its own so that rendering pages and reading the store (better-sqlite3 reads
 * block the thread that runs them) never holds up the thread that records calls and replies.
 */
import type { CallEvent, FileChangedEvent, FileReportedEvent } from '../events/daemon-events.js';

/** Everything the dashboard thread is started with (workerData). */
export interface WebThreadOptions {
  host: string;
  /** 0: any free port; the URL it got is reported back. */
  port: number;
  /** Empty: no login (the host is loopback, load.ts made sure). */
  token: string;
  upload: boolean;
  inboxDir: string;
  processedDir: string;
  /** The checkpoints database, read through a read-only connection of the thread's own. */
  databasePath: string;
  simulated: boolean;
  maxFileBytes: number;
  /** `submission.maxCallsPerMinute`: the calls budget the Now page shows (0 = none). */
  maxCallsPerMinute: number;
  /** `alerts.threshold` and `alerts.minIntervalMinutes`, for the alert state shown. */
  alertThreshold: number;
  alertMinIntervalMinutes: number;
  /** `results.pollIntervalSeconds`: how often open orders are asked about. */
  pollIntervalSeconds: number;
}

/** What only the main thread knows: readiness inputs. */
export interface HealthSnapshot {
  /** The main connection's last write probe succeeded (alerts/database-health.ts). */
  databaseWritable: boolean;
  /** The inbox watcher is running. */
  watching: boolean;
  /** Bad credentials stopped submission until the configuration changes. */
  submissionHalted: boolean;
}

export type ForwardedEvent =
  | { name: 'call'; event: CallEvent }
  | { name: 'file-changed'; event: FileChangedEvent }
  | { name: 'file-reported'; event: Pick<FileReportedEvent, 'fileId' | 'firstTime'> };

export type ToWebThread =
  /** Events since the last batch, in order; batched so a busy daemon posts a few messages a second. */
  | { kind: 'events'; events: ForwardedEvent[] }
  | { kind: 'health'; health: HealthSnapshot }
  /** The main thread's own metrics (prom-client text), answering `metrics-request`. */
  | { kind: 'metrics'; requestId: number; text: string }
  | { kind: 'close' };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type FromWebThread =
  | { kind: 'listening'; url: string }
  /** Listening failed (port in use, address not on this machine): the daemon goes on without the page. */
  | { kind: 'listen-failed'; code: string; message: string }
  | { kind: 'metrics-request'; requestId: number }
  /** Logged by the main thread's logger, which removes secrets like every other line. */
  | { kind: 'log'; level: LogLevel; message: string; details: Record<string, string | number | boolean> }
  | { kind: 'closed' };
