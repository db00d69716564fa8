/**
 * Rows by report STATUS for `imei_daemon_rows{status}`. Counting a million rows joined to their
 * orders takes about a second, so it is read in slices of the rows' id range, yielding to the
 * thread's other work (pages, live updates) between slices, and kept for a while: a scrape
 * every 15 s reads the rows at most once per MAX_AGE_MS.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ReportStatus } from '../../report/columns.js';
import type { Db } from '../../store/db.js';

const SLICE_ROWS = 50_000;
const MAX_AGE_MS = 10_000;

/**
 * The row's STATUS as `status` counts it (src/commands/status.ts): an ordered row shows its
 * order's status; rows whose outcome is being established show as Checking; rows being sent as Queued.
 */
const SLICE = `
  SELECT CASE r.state
           WHEN 'ordered' THEN COALESCE(o.status, 'Pending')
           WHEN 'unknown' THEN 'Checking'
           WHEN 'recovering' THEN 'Checking'
           WHEN 'sending' THEN 'Queued'
           ELSE upper(substr(r.state, 1, 1)) || substr(r.state, 2) END AS status, COUNT(*) AS n
    FROM rows AS r LEFT JOIN orders AS o ON o.account_id = r.account_id AND o.order_id = r.order_id
   WHERE r.id > ? AND r.id <= ? GROUP BY status`;

export type StatusCounts = Partial<Record<ReportStatus, number>>;

export class RowsByStatus {
  private cached: { at: number; counts: StatusCounts } | undefined;
  private running: Promise<StatusCounts> | undefined;

  /** @param read runs a query on the dashboard's connection (and turns failures into 503s). */
  constructor(private readonly read: <T>(query: (db: Db) => T) => T) {}

  /** The counts, at most MAX_AGE_MS old; a scan in progress is joined, not started twice. */
  async counts(now = Date.now()): Promise<StatusCounts> {
    if (this.cached && now - this.cached.at < MAX_AGE_MS) return this.cached.counts;
    this.running ??= this.scan().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async scan(): Promise<StatusCounts> {
    const startedAt = Date.now();
    const maxId = this.read((db) => (db.prepare('SELECT MAX(id) FROM rows').pluck().get() as number | null) ?? 0);
    const counts: Record<string, number> = {};
    for (let after = 0; after < maxId; after += SLICE_ROWS) {
      const slice = this.read((db) => db.prepare(SLICE).all(after, after + SLICE_ROWS) as { status: string; n: number }[]);
      for (const { status, n } of slice) counts[status] = (counts[status] ?? 0) + n;
      await yieldToEventLoop();
    }
    this.cached = { at: startedAt, counts: counts as StatusCounts };
    return this.cached.counts;
  }
}
