import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Open without writing (the `status` and `history` commands); no migration runs. */
  readonly?: boolean;
}

/**
 * Opens the daemon's database with the durability the design needs: WAL so that readers
 * (`status`) never block the daemon, and `synchronous=FULL` on every open, because
 * better-sqlite3 12 leaves WAL at NORMAL, where a power cut can lose the last commits, and a
 * lost attempt record is a paid order we no longer know about.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  if (!options.readonly) {
    // Created owner-only: the database names orders and the files they came from.
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  return db;
}

/** Runs the migrations this database has not seen yet, each in its own transaction. */
export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database schema (version ${current}) is newer than this daemon knows (${MIGRATIONS.length}): upgrade the daemon`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    const sql = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
