/**
 * The dashboard's one way into the checkpoints database: a read-only connection of its own
 * (as `status` and `history` use), opened when first needed. WAL lets it read while the daemon
 * writes. Any failure becomes a DatabaseUnreadableError, which pages answer with 503; a
 * connection that failed for any reason but "busy" is dropped and opened afresh next time, so
 * the page recovers by itself once the database can be read again.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DatabaseUnreadableError } from '../errors.js';
import type { Db } from '../store/db.js';

export interface ReadStoreOptions {
  path: string;
  /**
   * How long a read waits for a lock before it gives up with 503. Default 1000 ms: readers in
   * WAL mode rarely wait at all, and a page should say "busy" rather than hang.
   */
  busyTimeoutMs?: number;
}

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED'));
}

export class ReadStore {
  private db: Db | undefined;

  constructor(private readonly options: ReadStoreOptions) {}

  /** Runs `query` on the connection; throws DatabaseUnreadableError when the database cannot be read. */
  read<T>(query: (db: Db) => T): T {
    const db = this.connection();
    try {
      return query(db);
    } catch (error) {
      if (error instanceof DatabaseUnreadableError) throw error;
      if (!(error instanceof Database.SqliteError)) throw error;
      if (!isBusy(error)) this.drop();
      throw new DatabaseUnreadableError(isBusy(error) ? 'it is locked by another program' : error.message, error);
    }
  }

  close(): void {
    this.drop();
  }

  private connection(): Db {
    if (this.db?.open) return this.db;
    if (!existsSync(this.options.path)) throw new DatabaseUnreadableError('the checkpoints database does not exist yet');
    try {
      const db = new Database(this.options.path, { readonly: true, fileMustExist: true });
      db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? 1000}`);
      // Reading the schema now surfaces a file that is not a database at open, not mid-page.
      db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
      this.db = db;
      return db;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DatabaseUnreadableError(isBusy(error) ? 'it is locked by another program' : reason, error);
    }
  }

  private drop(): void {
    try {
      if (this.db?.open) this.db.close();
    } catch {
      // Closing a broken connection may fail too; it is dropped either way.
    }
    this.db = undefined;
  }
}
