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
