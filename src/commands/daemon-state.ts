/**
 * Whether a daemon holds a checkpoints folder, asked from another process (`status`). The
 * daemon's lock is an SQLite exclusive lock on `daemon.lock.sqlite` (store/lock.ts); here the lock
 * file is opened read-only with no waiting: a daemon holding it refuses even a read at once. Only
 * ever from a process other than the daemon: closing any descriptor of the lock file inside the
 * daemon would drop its lock.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LOCK_FILE, PID_FILE } from '../store/lock.js';

export interface DaemonState {
  /** true: a daemon holds the folder; false: none does; null: could not tell (see `reason`). */
  running: boolean | null;
  /** The holder's pid as it recorded it, while one runs. */
  pid: number | null;
  /** Why `running` is null. */
  reason?: string;
}

export function daemonState(checkpoints: string): DaemonState {
  const lockPath = join(checkpoints, LOCK_FILE);
  if (!existsSync(lockPath)) return { running: false, pid: null };
  let db: Database.Database | undefined;
  try {
    db = new Database(lockPath, { readonly: true, fileMustExist: true, timeout: 0 });
    // A read needs a shared lock, which the daemon's exclusive lock refuses.
    db.pragma('user_version', { simple: true });
    return { running: false, pid: null };
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) {
      return { running: true, pid: readPid(join(checkpoints, PID_FILE)) };
    }
    return { running: null, pid: null, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    db?.close();
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
