import { chmodSync, closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LockHeldError } from '../errors.js';

export interface FolderLock {
  release(): void;
}

/** The lock itself: an SQLite database nobody reads, held open in exclusive locking mode. */
export const LOCK_FILE = 'daemon.lock.sqlite';
/** The holder's pid, for the message a second daemon prints; information only, never the lock. */
export const PID_FILE = 'daemon.pid';
/** The previous version's pid-file lock; a leftover must not block a start. */
const LEGACY_LOCK_FILE = 'daemon.lock';

/**
 * Two daemons starting together can make each other fail a single try (both take SQLite's
 * shared lock, then neither can upgrade), so a refusal is retried a few times after a random
 * pause; a loser closes its connection, dropping its locks, before it pauses. A daemon that
 * really holds the folder refuses every try, so the second one gives up within about a second.
 */
const ATTEMPTS = 8;
const PAUSE_MS = { min: 20, max: 120 };

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
}

function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * One try: take the write lock on the lock database and keep it. In `EXCLUSIVE` locking mode
 * SQLite never drops a lock it once took until the connection closes, so after this commit no
 * other process can even read the file. Busy timeout 0: a refusal comes back at once.
 */
function tryTake(path: string): Database.Database | undefined {
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    // A real write: SQLite documents that the first write in this mode takes the lock for good.
    db.pragma(`user_version = ${process.pid}`);
    db.exec('COMMIT');
    return db;
  } catch (error) {
    db.close();
    if (isBusy(error)) return undefined;
    throw error;
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a file that will not go (already gone, a folder, no permission) is left. */
function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing to do: see above
  }
}

/**
 * One daemon per checkpoints folder, enforced by a lock the kernel releases when the holder
 * dies. SQLite's file locks are POSIX (fcntl) record locks: they belong to the process and are
 * dropped as it exits, before it is reaped, so a restart right after SIGKILL finds the folder
 * free even while the killed daemon is still a zombie, and a lock survives no reboot. The pid
 * file the previous version used as the lock could do neither: a zombie's pid still looks alive,
 * and after a reboot the recorded pid may belong to an unrelated live process.
 *
 * Nothing else in this process may open `daemon.lock.sqlite`: closing any descriptor of a file
 * drops every fcntl lock the process holds on it (SQLite guards only its own connections).
 * Never unlink that file either: a daemon holding the old inode and one locking a new file
 * would both run.
 */
export function acquireFolderLock(folder: string): FolderLock {
  const lockPath = join(folder, LOCK_FILE);
  const pidPath = join(folder, PID_FILE);
  // Owner-only like the database; created before SQLite opens it (see above on closing).
  closeSync(openSync(lockPath, 'a', 0o600));
  chmodSync(lockPath, 0o600);
  let held = tryTake(lockPath);
  for (let attempt = 1; held === undefined; attempt += 1) {
    if (attempt === ATTEMPTS) {
      const holder = readPid(pidPath);
      const who = holder === undefined ? 'another imei-daemon' : `another imei-daemon (pid ${holder})`;
      throw new LockHeldError(`${who} is already using the checkpoints folder ${folder}`);
    }
    pauseSync(PAUSE_MS.min + Math.random() * (PAUSE_MS.max - PAUSE_MS.min));
    held = tryTake(lockPath);
  }
  // Holding the lock, whatever an older version left is stale (or that version is running
  // against this folder, which this one cannot tell). Best effort: it must never block a start.
  removeQuietly(join(folder, LEGACY_LOCK_FILE));
  try {
    const draft = `${pidPath}.${process.pid}.tmp`;
    writeFileSync(draft, `${process.pid}\n`, { mode: 0o600 });
    renameSync(draft, pidPath);
  } catch (error) {
    held.close();
    throw error;
  }
  const db = held;
  let released = false;
  return {
    release(): void {
      if (released) return;
      released = true;
      try {
        // Only ours: a successor cannot write it before `close` below lets it take the lock.
        if (readPid(pidPath) === process.pid) removeQuietly(pidPath);
      } finally {
        db.close();
      }
    },
  };
}
