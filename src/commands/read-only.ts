import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/load.js';
import { openDatabase, type Db } from '../store/db.js';

/**
 * The commands that only read the store: they open it read-only, so they work while the daemon
 * runs (WAL lets readers in) and when it is stopped, and never take the daemon's lock.
 */
function openStore(config: ResolvedConfig): Db | undefined {
  const path = join(config.paths.checkpoints, 'imei-daemon.sqlite');
  return existsSync(path) ? openDatabase(path, { readonly: true }) : undefined;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

interface StatusFile {
  file: string;
  state: string;
  rows: number;
  done: number;
}

export interface StatusReport {
  filesInProgress: StatusFile[];
  rowsByState: Record<string, number>;
  failedWaitingForRetry: number;
  lastAlert: string | null;
}

export function readStatus(db: Db): StatusReport {
  const filesInProgress = db
    .prepare(
      `SELECT f.inbox_path AS file, f.state, f.rows_total AS rows,
              (SELECT COUNT(*) FROM rows r WHERE r.file_id = f.id AND r.state NOT IN ('queued', 'sending')) AS done
         FROM files f WHERE f.state <> 'done' ORDER BY f.id`,
    )
    .all() as StatusFile[];
  const rowsByState: Record<string, number> = {};
  for (const row of db.prepare('SELECT state, COUNT(*) AS n FROM rows GROUP BY state ORDER BY state').all() as {
    state: string;
    n: number;
  }[]) {
    rowsByState[row.state] = row.n;
  }
  const failedWaitingForRetry = db
    .prepare(`SELECT COUNT(*) FROM rows WHERE state IN ('failed', 'unknown') AND next_attempt_at IS NOT NULL`)
    .pluck()
    .get() as number;
  const lastAlert = (db.prepare(`SELECT value FROM meta WHERE key = 'lastAlertSentAt'`).pluck().get() as string | undefined) ?? null;
  return { filesInProgress, rowsByState, failedWaitingForRetry, lastAlert };
}

export function printStatus(config: ResolvedConfig, json: boolean): void {
  const db = openStore(config);
  const status: StatusReport = db
    ? readStatus(db)
    : { filesInProgress: [], rowsByState: {}, failedWaitingForRetry: 0, lastAlert: null };
  db?.close();
  if (json) return print(JSON.stringify(status, null, 2));
  print(status.filesInProgress.length === 0 ? 'Files in progress: none' : 'Files in progress:');
  for (const f of status.filesInProgress) print(`  ${f.file}  ${f.done}/${f.rows} rows  (${f.state})`);
  const states = Object.entries(status.rowsByState);
  print(`Rows by state: ${states.length === 0 ? 'none yet' : states.map(([s, n]) => `${s} ${n}`).join(', ')}`);
  print(`Failed rows waiting for retry: ${status.failedWaitingForRetry}`);
  print(`Last alert: ${status.lastAlert ?? 'none'}`);
}

export async function printServices(config: ResolvedConfig, search: string | undefined, json: boolean): Promise<void> {
  const db = openStore(config);
  const rows = db
    ? (db
        .prepare('SELECT id, title, price, time_taken AS timeTaken, category FROM services ORDER BY CAST(id AS INTEGER)')
        .all() as { id: string; title: string; price: string; timeTaken: string; category: string }[])
    : [];
  db?.close();
  const word = search?.toLowerCase();
  const shown = word ? rows.filter((r) => `${r.title} ${r.category}`.toLowerCase().includes(word)) : rows;
  if (json) return print(JSON.stringify(shown, null, 2));
  if (rows.length === 0) return print('No catalogue yet: start the daemon once so it can fetch it.');
  for (const s of shown) print(`${s.id.padStart(6)}  ${s.price.padStart(8)}  ${s.timeTaken.padEnd(16)}  ${s.title}`);
}

export function printHistory(config: ResolvedConfig, imei: string, json: boolean): void {
  const db = openStore(config);
  const rows = db
    ? (db
        .prepare(
          `SELECT f.inbox_path AS file, r.line, r.service_id AS service, r.state, r.order_id AS orderId,
                  o.status, o.code, COALESCE(o.requested_at, o.placed_at, r.updated_at) AS date, r.note
             FROM rows r JOIN files f ON f.id = r.file_id LEFT JOIN orders o ON o.order_id = r.order_id
            WHERE r.imei = ? OR r.raw_imei = ? ORDER BY r.id`,
        )
        .all(imei, imei) as Record<string, string | number | null>[])
    : [];
  db?.close();
  if (json) return print(JSON.stringify(rows, null, 2));
  if (rows.length === 0) return print(`No order known for ${imei}.`);
  for (const r of rows) {
    print(
      `${r.date}  service ${r.service}  order ${r.orderId ?? '-'}  ${r.status ?? r.state}  ${r.file} row ${r.line}` +
        (r.code ? `\n    ${r.code}` : '') +
        (r.note ? `\n    ${r.note}` : ''),
    );
  }
}
