import type { ResolvedConfig } from '../config/load.js';
import { formatProgressLine, progressBar } from '../report/summary-line.js';
import type { Db } from '../store/db.js';
import { successRate } from '../report/summary.js';
import { filesInProgress } from '../store/progress-queries.js';
import { AccountTransitions } from '../store/account-transitions.js';
import { RetryTransitions } from '../store/retry-transitions.js';
import { daemonState, type DaemonState } from './daemon-state.js';
import { openStoreReadOnly, print } from './read-only.js';
import { DASHBOARD_STATE_KEY } from '../web/start-dashboard.js';
import { BALANCE_META_KEY, CREDIT_HOLD_META_KEY } from '../engine/credit-gate.js';

export interface StatusReport {
  filesInProgress: { file: string; state: string; rows: number; done: number; progress: string }[];
  /** `error`: the file was refused (not read, or read in part), and why. */
  finishedToday: { file: string; rows: number; accepted: number; successRate: number; finishedAt: string; error: string | null }[];
  /** Rows by the status the report shows for them. */
  rowsByState: Record<string, number>;
  /** Rows by the daemon's own state (`queued`, `sending`, `ordered`, ...), for scripts. */
  rowsByStoreState: Record<string, number>;
  failedWaitingForRetry: number;
  nextRetryAt: string | null;
  lastAlert: { sentAt: string; subject: string | null } | null;
  /** The dashboard as `start` last left it: served at a URL, or why not (port in use...). */
  dashboard: { served: boolean; url?: string; reason?: string; at: string } | null;
  /** The provider balance last read (DHRU `accountinfo`); null where the provider shows none. */
  balance: { creditText: string; currency?: string; readAt: string; account?: string } | null;
  /** Files whose rows wait because the balance does not cover them, and why. */
  waitingForCredit: { file: string; reason: string }[];
}

function countBy(db: Db, sql: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of db.prepare(sql).all() as { key: string; n: number }[]) counts[row.key] = row.n;
  return counts;
}

/**
 * Everything `status` shows, read from the store alone (works while the daemon runs). `running`
 * false: no daemon holds the folder, so progress lines promise no time left. Default true.
 */
export function readStatus(db: Db, now = Date.now(), running = true): StatusReport {
  const startOfDay = new Date(now);
  startOfDay.setHours(0, 0, 0, 0);
  const finishedToday = (
    db
      .prepare(
        `SELECT f.inbox_path AS file, f.rows_total AS rows, f.finished_at AS finishedAt, f.error,
                (SELECT COUNT(*) FROM rows r WHERE r.file_id = f.id AND r.state = 'ordered') AS accepted
           FROM files f WHERE f.state = 'done' AND f.finished_at >= ? ORDER BY f.finished_at`,
      )
      .all(startOfDay.toISOString()) as { file: string; rows: number; accepted: number; finishedAt: string; error: string | null }[]
  ).map((f) => ({ ...f, successRate: successRate(f.accepted, f.rows) }));
  const waiting = new RetryTransitions(db, new AccountTransitions(db)).waiting();
  const meta = (key: string): string | null =>
    (db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  const lastAlertAt = meta('lastAlertSentAt');
  return {
    filesInProgress: filesInProgress(db).map((f) => ({
      file: f.file,
      state: f.state,
      rows: f.rows,
      done: f.done,
      progress: formatProgressLine(f, now, running),
    })),
    finishedToday,
    rowsByState: countBy(
      db,
      `SELECT CASE r.state
                WHEN 'ordered' THEN COALESCE(o.status, 'Pending')
                WHEN 'unknown' THEN CASE WHEN r.next_attempt_at IS NOT NULL
                                           OR (SELECT b.state FROM batches b WHERE b.id = r.batch_id) <> 'settled'
                                         THEN 'Checking' ELSE 'Unknown' END
                WHEN 'recovering' THEN 'Checking'
                WHEN 'sending' THEN 'Queued'
                ELSE upper(substr(r.state, 1, 1)) || substr(r.state, 2) END AS key, COUNT(*) AS n
         FROM rows r LEFT JOIN orders o ON o.account_id = r.account_id AND o.order_id = r.order_id
        GROUP BY key ORDER BY key`,
    ),
    rowsByStoreState: countBy(db, 'SELECT state AS key, COUNT(*) AS n FROM rows GROUP BY state ORDER BY state'),
    failedWaitingForRetry: waiting.rows,
    nextRetryAt: waiting.earliest,
    lastAlert: lastAlertAt ? { sentAt: lastAlertAt, subject: meta('lastAlertSubject') } : null,
    dashboard: parseDashboard(meta(DASHBOARD_STATE_KEY)),
    balance: parseBalance(meta(BALANCE_META_KEY)),
    waitingForCredit: parseCreditHold(meta(CREDIT_HOLD_META_KEY)),
  };
}

function parseBalance(text: string | null): StatusReport['balance'] {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as { text?: string; currency?: string; readAt?: string; account?: string };
    if (typeof value.text !== 'string' || typeof value.readAt !== 'string') return null;
    return {
      creditText: value.text,
      readAt: value.readAt,
      ...(value.currency ? { currency: value.currency } : {}),
      ...(value.account ? { account: value.account } : {}),
    };
  } catch {
    return null;
  }
}

function parseCreditHold(text: string | null): StatusReport['waitingForCredit'] {
  if (text === null) return [];
  try {
    const value = JSON.parse(text) as { files?: { file: string; reason: string }[] };
    return Array.isArray(value.files) ? value.files : [];
  } catch {
    return [];
  }
}

function parseDashboard(text: string | null): StatusReport['dashboard'] {
  if (text === null) return null;
  try {
    return JSON.parse(text) as StatusReport['dashboard'];
  } catch {
    return null;
  }
}

function when(iso: string, now: number): string {
  const local = new Date(iso).toLocaleString('en-GB', { hour12: false });
  return Date.parse(iso) <= now ? `${local} (due: at once while the daemon runs)` : local;
}

/** The first line of `status`: whether a daemon is working on this folder now. */
export function describeDaemonState(state: DaemonState): string {
  if (state.running === true) return `Daemon: running${state.pid === null ? '' : ` (pid ${state.pid})`}`;
  if (state.running === false) return 'Daemon: not running (files in progress resume when it starts)';
  return `Daemon: cannot tell whether it runs (${state.reason ?? 'unknown'})`;
}

export function printStatus(config: ResolvedConfig, json: boolean): void {
  const daemon = daemonState(config.paths.checkpoints);
  const db = openStoreReadOnly(config);
  const now = Date.now();
  const status = db ? readStatus(db, now, daemon.running !== false) : undefined;
  db?.close();
  if (json) return print(JSON.stringify({ daemon, ...(status ?? readEmpty()) }, null, 2));
  print(describeDaemonState(daemon));
  if (!status) return print('Nothing yet: the daemon has not run with this checkpoints folder.');
  print(status.filesInProgress.length === 0 ? 'In progress: nothing' : 'In progress:');
  for (const f of status.filesInProgress) print(`  ${progressBar(f.done, f.rows)} ${f.progress}`);
  print(status.finishedToday.length === 0 ? 'Finished today: none' : 'Finished today:');
  for (const f of status.finishedToday) {
    if (f.error !== null && f.rows === 0) print(`  ${f.file}: refused: ${f.error}`);
    else print(`  ${f.file}: ${f.rows} rows, ${f.accepted} ordered (${(f.successRate * 100).toFixed(1)}%)`);
  }
  const states = Object.entries(status.rowsByState);
  print(`Rows by status: ${states.length === 0 ? 'none yet' : states.map(([s, n]) => `${s} ${n}`).join(', ')}`);
  const next = status.nextRetryAt ? `, next retry ${when(status.nextRetryAt, now)}` : '';
  print(`Failed rows waiting for retry: ${status.failedWaitingForRetry}${next}`);
  const alert = status.lastAlert;
  print(`Last alert: ${alert ? `${new Date(alert.sentAt).toLocaleString('en-GB', { hour12: false })} ${alert.subject ?? ''}` : 'none'}`);
  const web = status.dashboard;
  if (web) print(`Dashboard: ${web.served ? web.url : `not served: ${web.reason}`}`);
  const balance = status.balance;
  if (balance) {
    const read = new Date(balance.readAt).toLocaleString('en-GB', { hour12: false });
    print(`Balance: ${balance.creditText}${balance.currency ? ` ${balance.currency}` : ''} (read ${read})`);
  }
  for (const held of status.waitingForCredit) print(`  waiting for credit: ${held.file}: ${held.reason}`);
}

function readEmpty(): StatusReport {
  return {
    filesInProgress: [],
    finishedToday: [],
    rowsByState: {},
    rowsByStoreState: {},
    failedWaitingForRetry: 0,
    nextRetryAt: null,
    lastAlert: null,
    dashboard: null,
    balance: null,
    waitingForCredit: [],
  };
}
