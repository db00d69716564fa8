/**
 * A checkpoints database holding months of history, written straight into a fresh store: the
 * dashboard benchmark (and its tests) need a million rows, and ordering them through the
 * simulator would take most of an hour. The shape follows what the daemon writes: files of a
 * few hundred rows, most rows ordered, some duplicates, invalid and failed rows, orders that
 * completed (with a result text), were rejected, or are still open.
 */
import { openDatabase } from '../store/db.js';
import { benchImei } from './generate.js';

export interface HistoryFixtureOptions {
  /** Rows in total, across every file. */
  rows: number;
  /** Rows per file; the last file takes the remainder. Default 500. */
  rowsPerFile?: number;
  /** History spreads evenly over this many days up to `now`. Default 60. */
  days?: number;
  /** The end of the history. Default: now. */
  now?: Date;
  /** A file name, a result text and a rejection reason holding markup, for escaping checks. Default false. */
  hostile?: boolean;
}

export interface HistoryFixture {
  rows: number;
  files: number;
  orders: number;
  /** An IMEI that has orders in two files: the look-up shows both. */
  sampleImei: string;
  /** A part of a file name the search finds. */
  sampleName: string;
}

/** Service ids of the built-in simulator's catalogue, with how often each is ordered. */
const SERVICES = ['1739', '1739', '1739', '269', '269', '1650'];
const REJECTION_CODES = ['Invalid IMEI for this service', 'Not found in GSMA database', 'Device is blacklisted'];
const FAILURE_ERRORS = ['connection refused by the provider (ECONNREFUSED)', 'HTTP 503 from the provider'];
const ROWS_PER_TRANSACTION = 50_000;

/** Deterministic: the same options always write the same database. */
function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length] as T;
}

/**
 * Writes the history into the database at `path` (created, migrated, owned by no daemon yet).
 * Rows of one file are contiguous, as the daemon writes them; ids count up with time.
 */
export function writeHistoryFixture(path: string, options: HistoryFixtureOptions): HistoryFixture {
  const db = openDatabase(path);
  const rowsPerFile = options.rowsPerFile ?? 500;
  const days = options.days ?? 60;
  const end = (options.now ?? new Date()).getTime();
  const start = end - days * 86_400_000;
  const fileCount = Math.ceil(options.rows / rowsPerFile);
  const insertFile = db.prepare(
    `INSERT INTO files (id, inbox_path, sha256, size, state, processed_stem, rows_total, api_calls, created_at, started_at,
                        finished_at, account_id, error)
     VALUES (?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, 1, ?)`,
  );
  const insertRow = db.prepare(
    `INSERT INTO rows (file_id, line, raw_imei, imei, service_id, state, note, order_id, duplicate_of, last_error,
                       updated_at, account_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
  );
  const insertOrder = db.prepare(
    `INSERT INTO orders (account_id, order_id, imei, service_id, status, code, requested_at, placed_at, polled_at, final)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let rowNumber = 0;
  let orders = 0;
  let firstRowOfPreviousFile = 0;
  const writeFile = (fileIndex: number): void => {
    const fileRows = Math.min(rowsPerFile, options.rows - rowNumber);
    const startedAt = start + ((end - start) * fileIndex) / fileCount;
    const finishedAt = startedAt + 20_000 + fileRows * 5;
    const name = options.hostile && fileIndex === fileCount - 1 ? `<img src=x onerror=alert(1)>.csv` : `batch-${String(fileIndex + 1).padStart(5, '0')}.csv`;
    const fileId = fileIndex + 1;
    const firstRowId = rowNumber + 1;
    insertFile.run(
      fileId,
      name,
      `fixture-${fileId}`,
      fileRows * 16,
      name.replace(/\.csv$/, ''),
      fileRows,
      Math.ceil(fileRows / 100),
      new Date(startedAt).toISOString(),
      new Date(startedAt).toISOString(),
      new Date(finishedAt).toISOString(),
      null,
    );
    for (let line = 2; line < fileRows + 2; line += 1) {
      rowNumber += 1;
      const n = rowNumber;
      const serviceId = pick(SERVICES, n);
      const updatedAt = new Date(finishedAt).toISOString();
      const placedAt = new Date(startedAt + line * 5).toISOString();
      // One IMEI in a hundred repeats one of the previous file: a duplicate pointing at it.
      if (n % 100 === 7 && firstRowOfPreviousFile > 0) {
        insertRow.run(fileId, line, 'dup', null, serviceId, 'duplicate', 'already ordered', null, firstRowOfPreviousFile, null, updatedAt);
        continue;
      }
      const imei = benchImei(500_000_000, n);
      if (n % 250 === 3) {
        insertRow.run(fileId, line, `${imei.slice(0, 14)}X`, null, serviceId, 'invalid', 'letters in the IMEI', null, null, null, updatedAt);
        continue;
      }
      if (n % 400 === 11) {
        insertRow.run(fileId, line, imei, imei, serviceId, 'failed', 'not ordered after 3 tries', null, null, pick(FAILURE_ERRORS, n), updatedAt);
        continue;
      }
      const orderId = String(10_000_000 + n);
      const age = end - (startedAt + line * 5);
      const open = age < 2 * 3_600_000 || n % 300 === 0;
      const rejected = !open && n % 40 === 21;
      const status = open ? 'Pending' : rejected ? 'Rejected' : 'Completed';
      const hostileCode = options.hostile && n === 1 ? '<script>alert(1)</script> Model: <b onerror=alert(2)>X</b>' : undefined;
      const code = rejected
        ? options.hostile && n % 80 === 21
          ? '<img src=x onerror=alert(3)> refused'
          : pick(REJECTION_CODES, n)
        : open
          ? ''
          : (hostileCode ?? `Model: iPhone ${12 + (n % 4)} - Carrier: ${pick(['AT&T', 'T-Mobile', 'Verizon'], n)} - SimLock: ${n % 3 === 0 ? 'Locked' : 'Unlocked'} - FMI: ${n % 5 === 0 ? 'ON' : 'OFF'}`);
      const polledAt = open ? null : new Date(startedAt + line * 5 + 60_000 + (n % 17) * 30_000).toISOString();
      insertOrder.run(orderId, imei, serviceId, status, code, placedAt.slice(0, 19).replace('T', ' '), placedAt, polledAt, open ? 0 : 1);
      insertRow.run(fileId, line, imei, imei, serviceId, 'ordered', '', orderId, null, null, updatedAt);
      orders += 1;
    }
    firstRowOfPreviousFile = firstRowId;
  };
  let fileIndex = 0;
  while (fileIndex < fileCount) {
    db.transaction(() => {
      const until = rowNumber + ROWS_PER_TRANSACTION;
      while (fileIndex < fileCount && rowNumber < until) writeFile(fileIndex++);
    })();
  }
  // The sample: the first file's first ordered IMEI, ordered again by a later file.
  const sampleImei = benchImei(500_000_000, 1);
  db.prepare(
    `INSERT INTO rows (file_id, line, raw_imei, imei, service_id, state, note, duplicate_of, updated_at, account_id)
     VALUES (?, 9999, ?, ?, '1739', 'duplicate', 'already ordered', 1, ?, 1)`,
  ).run(fileCount, sampleImei, sampleImei, new Date(end).toISOString());
  db.close();
  return { rows: rowNumber + 1, files: fileCount, orders, sampleImei, sampleName: 'batch-00012' };
}
