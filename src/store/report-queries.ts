import type { Db } from './db.js';
import type { ProviderStatus } from '../provider/types.js';
import type { ReportTally } from './report-tally.js';
import type { ReportSourceRow, RowState } from './types.js';

/** Rows read per query: the report streams from the store, whatever the file's size. */
const PAGE_SIZE = 2000;

/**
 * The earlier row a `duplicate` row repeats (`rows.duplicate_of`), as the store knows it now, so
 * the duplicate's NOTE can name that order and its result as they stand at render time.
 */
export interface EarlierRowSource {
  fileId: number;
  /** The earlier file's place in the inbox, `269/orders.csv`. */
  file: string;
  line: number;
  state: RowState;
  orderId: string | null;
  orderStatus: ProviderStatus | null;
  orderCode: string | null;
  orderNote: string | null;
}

/** A row as the report needs it, with what this module adds to the stored shape. */
export interface ReportSource extends ReportSourceRow {
  fileId?: number;
  /** The order's own note (e.g. given up after `results.maxAgeHours`); null without an order. */
  orderNote?: string | null;
  /** Only for a duplicate whose earlier row is known. */
  earlier?: EarlierRowSource | null;
  /** The row's cells of the input's other columns (`rows.input_cells`); absent when all were empty. */
  inputCells?: string[];
}

/**
 * Columns and joins of the `history` command (`r` is the row), a few rows at a time; the report
 * reads a file's rows with REPORT_PAGE below.
 */
const SOURCE_COLUMNS = `
  r.id, r.file_id AS fileId, r.line, r.raw_imei AS rawImei, r.imei, r.service_id AS serviceId, r.state, r.note,
  r.order_id AS orderId, r.unknown_since AS unknownSince, r.duplicate_of AS duplicateOf,
  o.status AS orderStatus, o.code AS orderCode, o.requested_at AS requestedAt, o.placed_at AS placedAt,
  o.note AS orderNote,
  s.title AS serviceTitle, s.price AS servicePrice, r.next_attempt_at AS nextAttemptAt,
  (SELECT b.state FROM batches AS b WHERE b.id = r.batch_id) AS batchState`;

const SOURCE_JOINS = `
  LEFT JOIN orders AS o ON o.account_id = r.account_id AND o.order_id = r.order_id
  LEFT JOIN services AS s ON s.id = r.service_id`;

/**
 * The row a duplicate repeats (`d`), followed one more step when that is itself a repeat (a file
 * that holds an IMEI twice, already sent by an earlier file: intake points the second at the
 * first, the first at the earlier file), so the note names the order actually placed. Asked per
 * duplicate rather than joined into every row: duplicates are few, and four more joins on every
 * row doubled the time to read a file.
 */
const EARLIER_ROW = `
  SELECT e.file_id AS fileId, f.inbox_path AS file, e.line, e.state, e.order_id AS orderId,
         o.status AS orderStatus, o.code AS orderCode, o.note AS orderNote
    FROM rows AS d
    JOIN rows AS e ON e.id = CASE WHEN d.state = 'duplicate' AND d.duplicate_of IS NOT NULL THEN d.duplicate_of ELSE d.id END
    JOIN files AS f ON f.id = e.file_id
    LEFT JOIN orders AS o ON o.account_id = e.account_id AND o.order_id = e.order_id
   WHERE d.id = ?`;

interface FlatSourceRow extends ReportSourceRow {
  id: number;
  fileId: number;
  orderNote: string | null;
  duplicateOf: number | null;
  nextAttemptAt: string | null;
  batchState: string | null;
}

type EarlierLookup = (rowId: number) => EarlierRowSource | undefined;

function earlierLookup(db: Db): EarlierLookup {
  const query = db.prepare(EARLIER_ROW);
  return (rowId) => query.get(rowId) as EarlierRowSource | undefined;
}

function toSource(row: FlatSourceRow, findEarlier: EarlierLookup): ReportSource & { id: number } {
  const earlier = row.state === 'duplicate' && row.duplicateOf !== null ? findEarlier(row.duplicateOf) : undefined;
  const stillChecking = row.state === 'unknown' && isStillChecking(row.nextAttemptAt, row.batchState);
  return { ...row, stillChecking, earlier: earlier ?? null };
}

/**
 * The report's read of a page of rows: SOURCE_COLUMNS without `file_id` (the caller knows it)
 * and without the services join (the catalogue is read once per service, see serviceLookup).
 * Read with `.raw()`: better-sqlite3 builds an object per row by setting each named column in
 * turn, which took about as long again as the query itself (20,000 rows: ~150 ms as objects,
 * ~85 as arrays); toPageSource builds the same object in one literal. Its indexes follow the
 * order of the columns here.
 */
const REPORT_PAGE = `
  SELECT r.id, r.line, r.raw_imei, r.imei, r.service_id, r.state, r.note, r.order_id, r.unknown_since,
         r.duplicate_of, o.status, o.code, o.requested_at, o.placed_at, o.note,
         o.final, r.next_attempt_at,
         CASE WHEN r.state = 'unknown' THEN (SELECT b.state FROM batches AS b WHERE b.id = r.batch_id) END,
         r.input_cells
    FROM rows AS r LEFT JOIN orders AS o ON o.account_id = r.account_id AND o.order_id = r.order_id
   WHERE +r.file_id = ? AND r.id > ? AND r.id <= ? ORDER BY r.id LIMIT ?`;

export type PageRow = [
  id: number,
  line: number,
  rawImei: string,
  imei: string | null,
  serviceId: string,
  state: RowState,
  note: string,
  orderId: string | null,
  unknownSince: string | null,
  duplicateOf: number | null,
  orderStatus: ProviderStatus | null,
  orderCode: string | null,
  requestedAt: string | null,
  placedAt: string | null,
  orderNote: string | null,
  /** What the tally needs besides the report's columns: */
  orderFinal: number | null,
  nextAttemptAt: string | null,
  /** Only for an unknown row: its batch's state. */
  unknownBatchState: string | null,
  /** JSON array of the input's other cells; NULL when the input has none or they were empty. */
  inputCells: string | null,
];

interface CatalogueEntry {
  title: string;
  price: string;
}

type ServiceLookup = (serviceId: string) => CatalogueEntry | undefined;

/**
 * A service's title and price, read once per service per report: a file names one service or a
 * few, and joining the catalogue into every row made each row pay for the same lookup again.
 */
function serviceLookup(db: Db): ServiceLookup {
  const query = db.prepare('SELECT title, price FROM services WHERE id = ?');
  const known = new Map<string, CatalogueEntry | undefined>();
  return (serviceId) => {
    if (known.has(serviceId)) return known.get(serviceId);
    const entry = query.get(serviceId) as CatalogueEntry | undefined;
    known.set(serviceId, entry);
    return entry;
  };
}

/**
 * Whether an `unknown` row is still being resolved: a resubmission is due, or its batch is still
 * being tried. (The summary's tally counts the same rows as pending.)
 */
export function isStillChecking(nextAttemptAt: string | null, batchState: string | null): boolean {
  return nextAttemptAt !== null || (batchState !== null && batchState !== 'settled');
}

function toPageSource(
  fileId: number,
  values: PageRow,
  findService: ServiceLookup,
  findEarlier: EarlierLookup,
): ReportSource {
  const state = values[5];
  const duplicateOf = values[9];
  const service = findService(values[4]);
  const earlier = state === 'duplicate' && duplicateOf !== null ? findEarlier(duplicateOf) : undefined;
  const source: ReportSource = {
    fileId,
    line: values[1],
    rawImei: values[2],
    imei: values[3],
    serviceId: values[4],
    state,
    note: values[6],
    orderId: values[7],
    unknownSince: values[8],
    orderStatus: values[10],
    orderCode: values[11],
    requestedAt: values[12],
    placedAt: values[13],
    orderNote: values[14],
    serviceTitle: service?.title ?? null,
    servicePrice: service?.price ?? null,
    stillChecking: state === 'unknown' && isStillChecking(values[16], values[17]),
    earlier: earlier ?? null,
  };
  const inputCells = values[18];
  if (inputCells !== null) source.inputCells = JSON.parse(inputCells) as string[];
  return source;
}

/**
 * The ids a file's rows take. Files are read one at a time, so a file's rows lie in one rowid
 * range: walking that range by the primary key reads each row once. (Through `rows_by_file`
 * every page would sort all of the file's rows again: quadratic in the file's size; the `+` in
 * REPORT_PAGE keeps the planner off that index.)
 */
export interface RowRange {
  firstId: number;
  lastId: number;
}

/** A file's row ids, first to last; undefined without rows. */
export function fileRowRange(db: Db, fileId: number): RowRange | undefined {
  const range = db.prepare('SELECT MIN(id) AS firstId, MAX(id) AS lastId FROM rows WHERE file_id = ?').get(fileId) as {
    firstId: number | null;
    lastId: number | null;
  };
  return range.firstId === null || range.lastId === null ? undefined : { firstId: range.firstId, lastId: range.lastId };
}

/**
 * Every row of a file in input order (or those of `range`, a part of the report), joined with
 * its order, its service and (for a duplicate) the earlier row and order it repeats, page by
 * page (a better-sqlite3 iterator would hold the connection busy while the report is written).
 */
export function* reportSourceRows(
  db: Db,
  fileId: number,
  tally?: ReportTally,
  range: RowRange | undefined = fileRowRange(db, fileId),
): Generator<ReportSource> {
  if (range === undefined) return;
  const lastId = range.lastId;
  const page = db.prepare(REPORT_PAGE).raw(true);
  const findService = serviceLookup(db);
  const findEarlier = earlierLookup(db);
  let afterId = range.firstId - 1;
  for (;;) {
    const rows = page.all(fileId, afterId, lastId, PAGE_SIZE) as PageRow[];
    for (const values of rows) {
      tally?.add(values);
      yield toPageSource(fileId, values, findService, findEarlier);
    }
    if (rows.length < PAGE_SIZE) return;
    afterId = (rows[rows.length - 1] as PageRow)[0];
  }
}

/** A row of the `history` command: the report's source row plus where it came from. */
export interface HistorySource extends ReportSource {
  fileId: number;
  /** The input file's place in the inbox. */
  file: string;
  /** When the row last changed (ISO), for rows that never became an order. */
  updatedAt: string;
}

/**
 * Every row, in any file, for one IMEI, oldest first; plus invalid rows whose text as typed is
 * `rawImei` (they have no IMEI). The first half uses `rows_by_imei`; the second scans the rows,
 * which is fine for a command a person runs now and then.
 */
export function historySourceRows(db: Db, imei: string, rawImei: string): HistorySource[] {
  const select = `SELECT f.inbox_path AS file, r.updated_at AS updatedAt, ${SOURCE_COLUMNS}
                    FROM rows AS r JOIN files AS f ON f.id = r.file_id ${SOURCE_JOINS}`;
  const rows = db
    .prepare(
      `SELECT * FROM (${select} WHERE r.imei = ?
                      UNION ALL
                      ${select} WHERE r.state = 'invalid' AND r.raw_imei = ?)
        ORDER BY id`,
    )
    .all(imei, rawImei) as (FlatSourceRow & { file: string; updatedAt: string })[];
  const findEarlier = earlierLookup(db);
  return rows.map((row) => ({ ...toSource(row, findEarlier), file: row.file, updatedAt: row.updatedAt, fileId: row.fileId }));
}

/** What a file's report shows besides its rows: the input's other columns, and whether it is a re-check. */
export interface FileInputFacts {
  /** The input's other columns by the names its header gives them; none: empty. */
  inputColumns: string[];
  /** Dropped in `inbox/recheck/`. */
  recheck: boolean;
}

export function fileInputFacts(db: Db, fileId: number): FileInputFacts {
  const file = db.prepare('SELECT input_columns AS inputColumns, recheck FROM files WHERE id = ?').get(fileId) as
    | { inputColumns: string | null; recheck: number }
    | undefined;
  return {
    inputColumns: file?.inputColumns ? (JSON.parse(file.inputColumns) as string[]) : [],
    recheck: file?.recheck === 1,
  };
}
