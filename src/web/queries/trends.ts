/**
 * The Trends page, per local day: IMEIs ordered, success rate, average time to result, credits
 * spent, and the top rejection and failure reasons.
 *
 * A month of history is a million rows here, and reading them all for each page took about a
 * second. Two things keep it quick: orders are appended as they are placed, so their rowid
 * follows `placed_at` and a day's orders are one rowid range, found by binary search and read
 * alone; and each day's figures are kept (today's for a few seconds, earlier days' for ten
 * minutes, since late results still change them), so a page reads at most the days it lacks.
 */
import type { Db } from '../../store/db.js';

export interface DayFigures {
  /** Local date, `2026-11-28`. */
  day: string;
  /** Orders placed that day. */
  ordered: number;
  /** Rows of the files taken in that day and done, and how many of them were ordered. */
  rows: number;
  accepted: number;
  /** accepted / rows; null on a day without files. */
  successRate: number | null;
  /** Mean seconds from placing an order to its final result, for orders placed that day that have one. */
  averageResultSeconds: number | null;
  /** Orders placed that day and not rejected, at the catalogue's price. */
  credits: number;
  rejections: Record<string, number>;
  failures: Record<string, number>;
}

export interface Trends {
  days: DayFigures[];
  totals: { ordered: number; rows: number; accepted: number; credits: number; successRate: number | null; averageResultSeconds: number | null };
  topRejections: { reason: string; count: number }[];
  topFailures: { reason: string; count: number }[];
}

const TODAY_TTL_MS = 5_000;
const PAST_DAY_TTL_MS = 10 * 60_000;
const TOP_REASONS = 5;

/** Local midnight of `date`'s day, `offset` days later. */
function localMidnight(date: Date, offset: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + offset);
}

function dayKey(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The first rowid of `orders` whose `placed_at` is at or after `iso`: every row before it is
 * earlier. Rowids may have gaps; a probe lands on the next existing row.
 */
export function firstOrderRowidAt(db: Db, iso: string): number {
  // Two queries: SQLite answers MIN or MAX alone from the b-tree's edge, both in one by a full scan.
  const first = db.prepare('SELECT MIN(rowid) FROM orders').pluck().get() as number | null;
  const last = db.prepare('SELECT MAX(rowid) FROM orders').pluck().get() as number | null;
  const bounds = { lo: first, hi: last };
  if (bounds.lo === null || bounds.hi === null) return 0;
  const probe = db.prepare('SELECT rowid AS id, placed_at AS placedAt FROM orders WHERE rowid >= ? ORDER BY rowid LIMIT 1');
  let lo = bounds.lo;
  let hi = bounds.hi + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = probe.get(mid) as { id: number; placedAt: string } | undefined;
    if (row === undefined || row.placedAt >= iso) hi = mid;
    else lo = row.id + 1;
  }
  return lo;
}

function priceOf(price: string | null | undefined): number {
  const value = Number.parseFloat((price ?? '').replace(/[$,\s]/g, ''));
  return Number.isFinite(value) ? value : 0;
}

function computeDay(db: Db, start: Date, end: Date): DayFigures {
  const from = firstOrderRowidAt(db, start.toISOString());
  const to = firstOrderRowidAt(db, end.toISOString());
  const prices = new Map(
    (db.prepare('SELECT id, price FROM services').all() as { id: string; price: string }[]).map((s) => [s.id, priceOf(s.price)]),
  );
  const groups = db
    .prepare(
      `SELECT service_id AS serviceId, status, COUNT(*) AS n,
              SUM(CASE WHEN final = 1 AND polled_at IS NOT NULL THEN 1 ELSE 0 END) AS withResult,
              SUM(CASE WHEN final = 1 AND polled_at IS NOT NULL THEN (julianday(polled_at) - julianday(placed_at)) * 86400 END) AS resultSeconds
         FROM orders WHERE rowid >= ? AND rowid < ? GROUP BY service_id, status`,
    )
    .all(from, to) as { serviceId: string; status: string; n: number; withResult: number; resultSeconds: number | null }[];
  let ordered = 0;
  let credits = 0;
  let withResult = 0;
  let resultSeconds = 0;
  for (const group of groups) {
    ordered += group.n;
    withResult += group.withResult;
    resultSeconds += group.resultSeconds ?? 0;
    // A rejected order is refunded by the provider; everything else is charged.
    if (group.status !== 'Rejected') credits += group.n * (prices.get(group.serviceId) ?? 0);
  }
  const rejections = Object.fromEntries(
    (
      db
        .prepare(
          `SELECT code AS reason, COUNT(*) AS n FROM orders WHERE rowid >= ? AND rowid < ? AND status = 'Rejected'
            GROUP BY code ORDER BY n DESC LIMIT 20`,
        )
        .all(from, to) as { reason: string; n: number }[]
    ).map((r) => [r.reason || '(no reason given)', r.n]),
  );
  const span = [start.toISOString(), end.toISOString()];
  // CROSS JOIN keeps SQLite's order, files first: the day's files, then each one's rows through
  // rows_by_file. Left to itself it scanned all the rows for the few failed ones (0.1 s a day).
  const rowStates = db
    .prepare(
      `SELECT SUM(n) AS rows, SUM(CASE WHEN state = 'ordered' THEN n ELSE 0 END) AS accepted FROM (
         SELECT r.state, COUNT(*) AS n FROM files AS f CROSS JOIN rows AS r ON r.file_id = f.id
          WHERE f.started_at >= ? AND f.started_at < ? AND f.state = 'done' GROUP BY r.state)`,
    )
    .get(...span) as { rows: number | null; accepted: number | null };
  const failures = Object.fromEntries(
    (
      db
        .prepare(
          `SELECT COALESCE(NULLIF(r.last_error, ''), r.note) AS reason, COUNT(*) AS n
             FROM files AS f CROSS JOIN rows AS r ON r.file_id = f.id AND r.state = 'failed'
            WHERE f.started_at >= ? AND f.started_at < ? GROUP BY reason ORDER BY n DESC LIMIT 20`,
        )
        .all(...span) as { reason: string; n: number }[]
    ).map((r) => [r.reason || '(no reason recorded)', r.n]),
  );
  const rows = rowStates.rows ?? 0;
  const accepted = rowStates.accepted ?? 0;
  return {
    day: dayKey(start),
    ordered,
    rows,
    accepted,
    successRate: rows === 0 ? null : accepted / rows,
    averageResultSeconds: withResult === 0 ? null : resultSeconds / withResult,
    credits,
    rejections,
    failures,
  };
}

function topOf(maps: Record<string, number>[]): { reason: string; count: number }[] {
  const merged = new Map<string, number>();
  for (const map of maps) for (const [reason, n] of Object.entries(map)) merged.set(reason, (merged.get(reason) ?? 0) + n);
  return [...merged.entries()]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
    .slice(0, TOP_REASONS);
}

/** Day figures kept between pages; one per dashboard thread. */
export class TrendsCache {
  private readonly days = new Map<string, { at: number; figures: DayFigures }>();

  /** The last `count` days, today included, oldest first. */
  trends(db: Db, count: number, now = new Date()): Trends {
    const days: DayFigures[] = [];
    for (let offset = 1 - count; offset <= 0; offset += 1) days.push(this.day(db, now, offset));
    const sum = (pick: (d: DayFigures) => number): number => days.reduce((total, d) => total + pick(d), 0);
    const rows = sum((d) => d.rows);
    const accepted = sum((d) => d.accepted);
    const withTime = days.filter((d) => d.averageResultSeconds !== null);
    const weight = withTime.reduce((total, d) => total + d.ordered, 0);
    return {
      days,
      totals: {
        ordered: sum((d) => d.ordered),
        rows,
        accepted,
        credits: sum((d) => d.credits),
        successRate: rows === 0 ? null : accepted / rows,
        averageResultSeconds:
          weight === 0 ? null : withTime.reduce((total, d) => total + (d.averageResultSeconds ?? 0) * d.ordered, 0) / weight,
      },
      topRejections: topOf(days.map((d) => d.rejections)),
      topFailures: topOf(days.map((d) => d.failures)),
    };
  }

  /**
   * Computes, one day at a time, the earlier days a page would lack: called while the thread is
   * idle. Not today: it changes all day and is read when a page asks, so a busy day (a million
   * orders) costs nothing while nobody looks.
   */
  warmOne(db: Db, count: number, now = new Date()): boolean {
    for (let offset = -1; offset > -count; offset -= 1) {
      if (!this.fresh(now, offset)) {
        this.day(db, now, offset);
        return true;
      }
    }
    return false;
  }

  private fresh(now: Date, offset: number): boolean {
    const key = dayKey(localMidnight(now, offset));
    const cached = this.days.get(key);
    return cached !== undefined && now.getTime() - cached.at < (offset === 0 ? TODAY_TTL_MS : PAST_DAY_TTL_MS);
  }

  private day(db: Db, now: Date, offset: number): DayFigures {
    const start = localMidnight(now, offset);
    const key = dayKey(start);
    const cached = this.days.get(key);
    if (cached && this.fresh(now, offset)) return cached.figures;
    const figures = computeDay(db, start, localMidnight(now, offset + 1));
    this.days.set(key, { at: now.getTime(), figures });
    if (this.days.size > 64) this.days.delete(this.days.keys().next().value as string);
    return figures;
  }
}
