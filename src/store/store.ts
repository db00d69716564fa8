import type { CatalogueEntry } from '../provider/types.js';
import type { Db } from './db.js';
import type { FileRecord } from './types.js';
import { AccountTransitions } from './account-transitions.js';
import { AlertTransitions } from './alert-transitions.js';
import { BatchTransitions } from './batch-transitions.js';
import { IntakeTransitions } from './intake-transitions.js';
import { OrderTransitions } from './order-transitions.js';
import { PollTransitions } from './poll-transitions.js';
import { RecoveryTransitions } from './recovery-transitions.js';
import { RetryTransitions } from './retry-transitions.js';
import { PacingTransitions } from './pacing-transitions.js';
import { SettleTransitions } from './settle-transitions.js';

/**
 * The one place that changes the database. Every state change is a named method that runs in
 * a transaction and is committed (with `synchronous=FULL`) before the method returns, so the
 * side effect it guards (a `placeorder` call, a file move) can only happen after it is on disk.
 *
 * Transitions are grouped by the part of the flow that uses them; `Store` gives them one home.
 */
export class Store {
  /** The provider account this daemon orders with: `accounts.select` at start, before any order. */
  readonly accounts: AccountTransitions;
  readonly intake: IntakeTransitions;
  readonly batches: BatchTransitions;
  readonly orders: OrderTransitions;
  readonly alerts: AlertTransitions;
  readonly retries: RetryTransitions;
  readonly recovery: RecoveryTransitions;
  readonly polls: PollTransitions;
  /** Unknown outcomes on a server that may charge a repeat: settled from the order ids, never resent. */
  readonly settling: SettleTransitions;
  /** The last IMEI of a run set aside (bracketing calls, for servers that may charge a repeat). */
  readonly pacing: PacingTransitions;

  constructor(readonly db: Db) {
    this.accounts = new AccountTransitions(db);
    this.settling = new SettleTransitions(db, this.accounts);
    this.intake = new IntakeTransitions(db, this.accounts);
    this.batches = new BatchTransitions(db, this.accounts, this.settling);
    this.orders = new OrderTransitions(db, this.accounts);
    this.alerts = new AlertTransitions(db);
    this.retries = new RetryTransitions(db, this.accounts, this.settling);
    this.recovery = new RecoveryTransitions(db, this.accounts, this.settling);
    this.polls = new PollTransitions(db, this.accounts);
    this.pacing = new PacingTransitions(db);
  }

  getFile(fileId: number): FileRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT id, inbox_path AS inboxPath, sha256, size, folder_service_id AS folderServiceId, state, error,
                repeat_of AS repeatOf, processed_stem AS processedStem, rows_total AS rowsTotal,
                api_calls AS apiCalls, created_at AS createdAt, started_at AS startedAt, finished_at AS finishedAt
           FROM files WHERE id = ?`,
      )
      .get(fileId) as FileRecord | undefined;
    return row;
  }

  filesInState(state: FileRecord['state']): FileRecord[] {
    const ids = this.db.prepare('SELECT id FROM files WHERE state = ? ORDER BY id').pluck().all(state) as number[];
    return ids.map((id) => this.getFile(id)).filter((file): file is FileRecord => file !== undefined);
  }

  /** A file the daemon holds and has not finished with, by its place in the inbox. */
  activeFileAt(inboxPath: string): FileRecord | undefined {
    const id = this.db
      .prepare(`SELECT id FROM files WHERE inbox_path = ? AND state <> 'done' ORDER BY id DESC LIMIT 1`)
      .pluck()
      .get(inboxPath) as number | undefined;
    return id === undefined ? undefined : this.getFile(id);
  }

  /** Processed stems already promised to a file, so two files never race for one name. */
  isStemTaken(stem: string): boolean {
    return this.db.prepare('SELECT 1 FROM files WHERE processed_stem = ?').get(stem) !== undefined;
  }

  /** `submitting -> reporting`: the processed/ name is recorded before anything is written there. */
  beginReporting(fileId: number, processedStem: string, now: string): void {
    this.db
      .prepare(
        `UPDATE files SET state = 'reporting', processed_stem = ?, finished_at = COALESCE(finished_at, ?)
          WHERE id = ? AND state IN ('submitting', 'reporting')`,
      )
      .run(processedStem, now, fileId);
  }

  /** `reporting -> done`: report written and original moved. */
  markDone(fileId: number, reportVersion: number): void {
    this.db
      .prepare(
        `UPDATE files SET state = 'done', report_dirty = MAX(report_dirty - ?, 0) WHERE id = ? AND state = 'reporting'`,
      )
      .run(reportVersion, fileId);
  }

  /** How many times polled results or the retry job changed a file's rows (see migration 8). */
  outsideChanges(fileId: number): number {
    return (this.db.prepare('SELECT outside_changes FROM files WHERE id = ?').pluck().get(fileId) as number | undefined) ?? 0;
  }

  /**
   * The first row of a file, after `afterId`, that its submission may still change (queued,
   * being sent, or sent without a known outcome); undefined when there is none.
   */
  firstRowInFlight(fileId: number, afterId: number): number | undefined {
    return (
      (this.db
        .prepare(
          `SELECT MIN(id) FROM rows WHERE file_id = ? AND state IN ('queued', 'sending', 'unknown', 'recovering') AND id > ?`,
        )
        .pluck()
        .get(fileId, afterId) as number | null) ?? undefined
    );
  }

  /** Whether a row of the file repeats a row of another file (its report then shows that row). */
  repeatsOtherFiles(fileId: number): boolean {
    return (
      this.db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM rows AS r JOIN rows AS e ON e.id = r.duplicate_of
                           WHERE r.file_id = ? AND r.duplicate_of IS NOT NULL AND e.file_id <> r.file_id)`,
        )
        .pluck()
        .get(fileId) === 1
    );
  }

  /** How many unrendered changes a file has; rendering passes this back to `markRendered`. */
  reportVersion(fileId: number): number {
    return (this.db.prepare('SELECT report_dirty FROM files WHERE id = ?').pluck().get(fileId) as number | undefined) ?? 0;
  }

  /** Clears the changes a render covered; a change made during the render stays pending. */
  markRendered(fileId: number, reportVersion: number): void {
    this.db.prepare('UPDATE files SET report_dirty = MAX(report_dirty - ?, 0) WHERE id = ?').run(reportVersion, fileId);
  }

  /** Finished files whose rows changed since their report was written. */
  filesNeedingReport(): number[] {
    return this.db
      .prepare(`SELECT id FROM files WHERE state = 'done' AND report_dirty > 0 ORDER BY id`)
      .pluck()
      .all() as number[];
  }

  /** Whether every batch of a file has settled: nothing planned, nothing in flight. */
  isFileSettled(fileId: number): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM batches WHERE file_id = ? AND state <> 'settled' LIMIT 1`).get(fileId) ===
      undefined
    );
  }

  /**
   * Replaces the cached catalogue: SERVICE and CREDITS in reports come from it, and services
   * that cannot be ordered with an IMEI alone are refused before any call from now on.
   */
  saveCatalogue(entries: readonly CatalogueEntry[], now: string): void {
    const upsert = this.db.prepare(
      `INSERT INTO services (id, category, title, price, time_taken, must_read, fetched_at, service_type, not_orderable)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET category = excluded.category, title = excluded.title, price = excluded.price,
         time_taken = excluded.time_taken, must_read = excluded.must_read, fetched_at = excluded.fetched_at,
         service_type = excluded.service_type, not_orderable = excluded.not_orderable`,
    );
    this.db.transaction(() => {
      for (const e of entries) {
        const notOrderable = e.orderableByImei === false ? (e.notOrderableReason ?? 'not an IMEI service') : null;
        upsert.run(e.id, e.category, e.title, e.price, e.timeTaken, e.mustRead, now, e.serviceType ?? null, notOrderable);
      }
    })();
    this.loadServiceRefusals();
  }

  /** Hands the cached catalogue's unorderable services to submission (at start and after each fetch). */
  loadServiceRefusals(): void {
    const rows = this.db.prepare('SELECT id, not_orderable AS reason FROM services WHERE not_orderable IS NOT NULL').all() as {
      id: string;
      reason: string;
    }[];
    this.batches.notOrderable = new Map(rows.map((row) => [row.id, row.reason]));
  }

  /** A service's price as a number, when the catalogue knows it and it reads as one. */
  servicePrices(): Map<string, number> {
    const prices = new Map<string, number>();
    for (const row of this.db.prepare('SELECT id, price FROM services').all() as { id: string; price: string }[]) {
      const price = Number(row.price.replace(/,/g, ''));
      if (Number.isFinite(price) && price >= 0) prices.set(row.id, price);
    }
    return prices;
  }

  /** When the catalogue was last fetched, if ever. */
  catalogueFetchedAt(): string | undefined {
    return this.db.prepare('SELECT MAX(fetched_at) FROM services').pluck().get() as string | undefined ?? undefined;
  }

  /**
   * The most common reasons a file's rows failed to be ordered, for alert mails: the states an
   * alert counts (Invalid rows were never to be ordered, see `orderSuccessRate`).
   */
  topErrors(fileId: number, limit = 3): string[] {
    return this.db
      .prepare(
        `SELECT COALESCE(last_error, note) AS reason, COUNT(*) AS n FROM rows
          WHERE file_id = ? AND state IN ('failed', 'unknown', 'unconfirmed') GROUP BY reason ORDER BY n DESC LIMIT ?`,
      )
      .all(fileId, limit)
      .map((row) => `${(row as { reason: string; n: number }).reason} (${(row as { reason: string; n: number }).n} rows)`);
  }

  getMeta(key: string): string | undefined {
    return this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
