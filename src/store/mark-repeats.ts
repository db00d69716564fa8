import type { Db } from './db.js';

/**
 * Marks the rows of one intake chunk (ids from `fromId` on) that must not be sent: repeats of a
 * whole earlier file, repeats of an earlier row of the same file, and repeats of an order an
 * earlier file already placed. Runs inside the caller's transaction, once per chunk, so rows
 * can be sent while the rest of the file is still being read: each check looks only at the
 * new rows, against everything stored before them.
 */
export function markRepeats(
  db: Db,
  fileId: number,
  fromId: number,
  repeatOf: number | null,
  accountId: number,
  now: string,
  rules: RepeatRules = {},
): Repeats {
  const sql = statementsFor(db);
  if (repeatOf !== null) {
    markRepeatOfFile(db, fileId, fromId, repeatOf, now);
    return 'all';
  }
  const marked = new Set<number>();
  markRepeatsWithinFile(sql, fileId, fromId, now, marked);
  if (rules.recheck !== true) markRepeatsOfEarlierFiles(sql, fileId, fromId, accountId, now, marked);
  return marked;
}

export interface RepeatRules {
  /**
   * A file dropped to be ordered again on purpose (`inbox/recheck/`): earlier files' orders do
   * not make its rows duplicates; the same IMEI twice in it still does. Default false.
   */
  recheck?: boolean;
}

/** The queued rows a chunk's check marked duplicate: all of them, or these ids. */
export type Repeats = 'all' | ReadonlySet<number>;

/**
 * Prepared once per database: these run for every chunk of every file (thousands for a big
 * file), and preparing the joins cost about 50 us each time.
 */
const STATEMENTS = new WeakMap<Db, RepeatStatements>();

type RepeatStatements = ReturnType<typeof prepareStatements>;

function statementsFor(db: Db): RepeatStatements {
  let sql = STATEMENTS.get(db);
  if (!sql) {
    sql = prepareStatements(db);
    STATEMENTS.set(db, sql);
  }
  return sql;
}

function prepareStatements(db: Db) {
  return {
    repeatsWithinFile: db.prepare(
      `SELECT r.id AS rowId, MIN(e.id) AS firstId, e.line AS firstLine
         FROM rows AS r
         JOIN rows AS e ON e.imei = r.imei AND e.service_id = r.service_id AND e.file_id = r.file_id AND e.id < r.id
        WHERE r.file_id = ? AND r.id >= ? AND r.state = 'queued'
        GROUP BY r.id`,
    ),
    repeatsOfEarlierFiles: db.prepare(
      `SELECT r.id AS rowId, MIN(e.id) AS earlierId, e.order_id AS orderId, f.inbox_path AS earlierFile, e.line AS earlierLine
         FROM rows AS r
         JOIN rows AS e ON e.imei = r.imei AND e.service_id = r.service_id AND e.file_id <> r.file_id
                        AND e.state IN ('ordered', 'unknown', 'recovering', 'unconfirmed') AND e.account_id = ?
         JOIN files AS f ON f.id = e.file_id
        WHERE r.file_id = ? AND r.id >= ? AND r.state = 'queued' AND e.id < r.id
        GROUP BY r.id`,
    ),
    markDuplicate: db.prepare(`UPDATE rows SET state = 'duplicate', duplicate_of = ?, note = ?, updated_at = ? WHERE id = ?`),
  };
}

/** The same bytes were processed before: nothing is sent again; rows point at the earlier file. */
function markRepeatOfFile(db: Db, fileId: number, fromId: number, earlierFileId: number, now: string): void {
  const earlier = db.prepare('SELECT inbox_path, processed_stem FROM files WHERE id = ?').get(earlierFileId) as
    | { inbox_path: string; processed_stem: string | null }
    | undefined;
  const where = earlier?.processed_stem ? `processed/${earlier.processed_stem}.report.csv` : earlier?.inbox_path;
  db.prepare(
    `UPDATE rows SET state = 'duplicate', updated_at = ?,
            note = 'the same file was already processed: see ' || ? || ', row ' || line
      WHERE file_id = ? AND id >= ? AND state = 'queued'`,
  ).run(now, where ?? 'the earlier report', fileId, fromId);
}

/**
 * A row whose IMEI and service appear earlier in the same file repeats the first of them,
 * whatever that one's state is by now (it may already be sent while this chunk is read).
 */
function markRepeatsWithinFile(sql: RepeatStatements, fileId: number, fromId: number, now: string, marked: Set<number>): void {
  const repeats = sql.repeatsWithinFile.all(fileId, fromId) as { rowId: number; firstId: number; firstLine: number }[];
  for (const r of repeats) {
    sql.markDuplicate.run(r.firstId, `same IMEI as row ${r.firstLine} of this file`, now, r.rowId);
    marked.add(r.rowId);
  }
}

/**
 * A row whose IMEI and service an earlier file already ordered (or sent in a call whose outcome
 * is unknown) through the same provider account is not sent again: another account's order (the
 * simulator's, say) is no reason not to order for real. One still waiting or being sent is not enough: if it then
 * fails, this row would be reported as sent and never ordered; sending both is safe, since the
 * provider refuses (and does not charge) the second.
 * (SQLite takes the bare columns from the row that holds the MIN: the earliest such row.)
 */
function markRepeatsOfEarlierFiles(
  sql: RepeatStatements,
  fileId: number,
  fromId: number,
  accountId: number,
  now: string,
  marked: Set<number>,
): void {
  const candidates = sql.repeatsOfEarlierFiles.all(accountId, fileId, fromId) as {
    rowId: number;
    earlierId: number;
    orderId: string | null;
    earlierFile: string;
    earlierLine: number;
  }[];
  for (const c of candidates) {
    const order = c.orderId ? `order ${c.orderId}` : 'an order';
    sql.markDuplicate.run(c.earlierId, `already sent: ${order} from ${c.earlierFile}, row ${c.earlierLine}`, now, c.rowId);
    marked.add(c.rowId);
  }
}
