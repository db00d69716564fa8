import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/load.js';
import { openDatabase, type Db } from '../store/db.js';

/**
 * The commands that only read the store: they open it read-only, so they work while the daemon
 * runs (WAL lets readers in) and when it is stopped, and never take the daemon's lock.
 */
export function openStoreReadOnly(config: ResolvedConfig): Db | undefined {
  const path = join(config.paths.checkpoints, 'imei-daemon.sqlite');
  return existsSync(path) ? openDatabase(path, { readonly: true }) : undefined;
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printHistory(config: ResolvedConfig, imei: string, json: boolean): void {
  const db = openStoreReadOnly(config);
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
