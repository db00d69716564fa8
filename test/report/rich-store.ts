/**
 * A store holding every kind of row a report can show, written straight into the tables so that
 * each case is exact: every row state, duplicates within a file, across files and chained,
 * Rejected orders with and without codes, Completed codes with HTML, entities, CR/LF, quotes,
 * commas, formula starters and unicode; and a service catalogue that is filled or empty.
 * The golden report test renders it and compares the bytes with the ones recorded before the
 * report writer was rewritten for speed.
 */

import type { Db } from '../../src/store/db.js';
import { APPLE, COMPLETED_CODES, INVALID_RAW, NOTES, REJECTED_CODES, ROW_SERVICES, SERVICES } from './rich-store-texts.js';

export const T0 = '2026-03-01T10:00:00.000Z';
const T1 = '2026-03-01T10:07:31.250Z';

export const EARLIER_FILE = 1;
export const RICH_FILE = 2;
export const BIG_FILE = 3;
/** Rows in the big file: more than one page of the store's reads and of the writer's chunks. */
export const BIG_FILE_ROWS = 5_003;

interface RowInsert {
  fileId: number;
  line: number;
  rawImei: string;
  imei: string | null;
  serviceId: string;
  state: string;
  note?: string;
  batchId?: number | null;
  orderId?: string | null;
  duplicateOf?: number | null;
  unknownSince?: string | null;
  nextAttemptAt?: string | null;
}

/** Where a row goes, and its IMEI number `n` (see imeiOf). */
interface RowAt {
  fileId: number;
  line: number;
  n: number;
  serviceId: string;
  note?: string;
}

interface OrderInsert {
  orderId: string;
  imei: string;
  serviceId: string;
  status: string;
  code?: string;
  requestedAt?: string | null;
  placedAt?: string;
  final?: number;
  note?: string;
}

function imeiOf(n: number): string {
  return String(353_000_000_000_000 + n);
}

class RichStoreBuilder {
  private readonly insertRowStatement;
  private readonly insertOrderStatement;

  constructor(private readonly db: Db) {
    this.insertRowStatement = db.prepare(
      `INSERT INTO rows (file_id, line, raw_imei, imei, service_id, state, note, batch_id, order_id, duplicate_of,
                         unknown_since, next_attempt_at, updated_at, account_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
    );
    this.insertOrderStatement = db.prepare(
      `INSERT INTO orders (account_id, order_id, imei, service_id, status, code, requested_at, placed_at, final, note)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  file(id: number, inboxPath: string, stem: string): void {
    this.db
      .prepare(
        `INSERT INTO files (id, inbox_path, sha256, size, state, processed_stem, rows_total, api_calls, created_at,
                            started_at, finished_at)
         VALUES (?, ?, ?, 1, 'done', ?, 0, 3, ?, ?, ?)`,
      )
      .run(id, inboxPath, `sha-${id}`, stem, T0, T0, T1);
  }

  batch(id: number, fileId: number, state: string): void {
    this.db
      .prepare(`INSERT INTO batches (id, file_id, service_id, state, created_at, updated_at) VALUES (?, ?, '1739', ?, ?, ?)`)
      .run(id, fileId, state, T0, T0);
  }

  row(row: RowInsert): number {
    const result = this.insertRowStatement.run(
      row.fileId,
      row.line,
      row.rawImei,
      row.imei,
      row.serviceId,
      row.state,
      row.note ?? '',
      row.batchId ?? null,
      row.orderId ?? null,
      row.duplicateOf ?? null,
      row.unknownSince ?? null,
      row.nextAttemptAt ?? null,
      T0,
    );
    return Number(result.lastInsertRowid);
  }

  order(order: OrderInsert): void {
    this.insertOrderStatement.run(
      order.orderId,
      order.imei,
      order.serviceId,
      order.status,
      order.code ?? '',
      order.requestedAt ?? null,
      order.placedAt ?? T0,
      order.final ?? 0,
      order.note ?? '',
    );
  }

  /** A row for IMEI number `n`, typed as it is stored unless `more` says otherwise. */
  rowOf(at: RowAt, state: string, more: Partial<RowInsert> = {}): number {
    const imei = imeiOf(at.n);
    return this.row({ ...at, rawImei: imei, imei, state, note: at.note ?? '', ...more });
  }

  /** An ordered row with its order (order id 15,000,000 + n); returns the row id. */
  ordered(at: RowAt, order: Omit<OrderInsert, 'orderId' | 'imei' | 'serviceId'>): number {
    const orderId = String(15_000_000 + at.n);
    this.order({ orderId, imei: imeiOf(at.n), serviceId: at.serviceId, ...order });
    return this.rowOf(at, 'ordered', { batchId: at.fileId * 10, orderId });
  }
}

/** Fills `db` with the three files; `withCatalogue: false` leaves the services table empty. */
export function buildRichStore(db: Db, withCatalogue: boolean): void {
  db.transaction(() => {
    const build = new RichStoreBuilder(db);
    if (withCatalogue) {
      const service = db.prepare(
        `INSERT INTO services (id, category, title, price, time_taken, must_read, fetched_at) VALUES (?, 'c', ?, ?, '1 min', '', ?)`,
      );
      for (const [id, title, price] of SERVICES) service.run(id, title, price, T0);
    }
    build.file(EARLIER_FILE, 'earlier/orders.csv', 'earlier/orders');
    build.file(RICH_FILE, '269/odd, "name".csv', '269/odd, "name"');
    build.file(BIG_FILE, 'big.csv', 'big');
    for (const fileId of [EARLIER_FILE, RICH_FILE, BIG_FILE]) {
      build.batch(fileId * 10, fileId, 'settled');
      build.batch(fileId * 10 + 1, fileId, 'sending');
      build.batch(fileId * 10 + 2, fileId, 'planned');
    }
    const earlier = earlierFile(build);
    richFile(build, earlier);
    bigFile(build, earlier);
  })();
}

/** Row ids of the earlier file that later rows repeat. */
interface EarlierRows {
  completed: number;
  rejected: number;
  pending: number;
  failed: number;
  noOrderId: number;
}

function earlierFile(build: RichStoreBuilder): EarlierRows {
  const at = (line: number, serviceId: string, note?: string): RowAt => ({ fileId: EARLIER_FILE, line, n: line - 1, serviceId, note });
  return {
    completed: build.ordered(at(2, '1739'), { status: 'Completed', code: APPLE, requestedAt: '2026-02-01 09:00:00', final: 1 }),
    rejected: build.ordered(at(3, '269'), { status: 'Rejected', code: 'Invalid_IMEI', final: 1 }),
    pending: build.ordered(at(4, '42'), { status: 'Pending' }),
    failed: build.rowOf(at(5, '1739', 'the provider said: busy'), 'failed'),
    noOrderId: build.rowOf(at(6, '1739'), 'ordered', { batchId: 10 }),
  };
}

function richFile(build: RichStoreBuilder, earlier: EarlierRows): void {
  let line = 1;
  /** The next line, its service and note taken in turn from the lists. */
  const next = (): RowAt => {
    line += 1;
    const n = line + 99;
    const serviceId = ROW_SERVICES[n % ROW_SERVICES.length] as string;
    return { fileId: RICH_FILE, line, n, serviceId, note: NOTES[n % NOTES.length] as string };
  };
  /** The next line for service 1739 and without a note of its own. */
  const plain = (): RowAt => ({ ...next(), serviceId: '1739', note: '' });

  for (const code of COMPLETED_CODES) {
    const at = next();
    build.ordered(at, { status: 'Completed', code, requestedAt: at.n % 2 ? '2026-03-01 10:00:05' : null, final: 1 });
  }
  for (const code of REJECTED_CODES) {
    const at = next();
    build.ordered(at, { status: 'Rejected', code, requestedAt: '', final: 1, note: at.n % 2 ? '' : 'given up after 72 hours' });
  }
  for (const [status, code, requestedAt, final, orderNote] of [
    ['Pending', '', null, 0, ''],
    ['Pending', '', '', 0, ''],
    ['Pending', '', '2026-03-01 10:00:09', 0, ''],
    ['Pending', '', null, 1, 'no result after 72 hours; the provider may still answer'],
    ['In Process', 'Model: iPhone 11', '', 0, ''],
    ['In Process', '=still working', null, 0, '-given up, "really"'],
  ] as const) {
    build.ordered(next(), { status, code, requestedAt, final, note: orderNote, placedAt: T1 });
  }
  // An ordered row whose order the store does not hold (and one without an order id).
  build.rowOf({ ...next(), note: '' }, 'ordered', { batchId: 20, orderId: '99999999' });
  build.rowOf({ ...next(), note: '' }, 'ordered', { batchId: 20 });

  for (const raw of INVALID_RAW) {
    build.rowOf(next(), 'invalid', { rawImei: raw, imei: null, note: `not an IMEI: ${raw}` });
  }
  for (const [state, nextAttemptAt, batchId] of [
    ['failed', null, 20],
    ['failed', T1, 20],
    ['unknown', null, 20],
    ['unknown', null, 21],
    ['unknown', T1, 20],
    ['unknown', null, null],
    ['unconfirmed', null, 20],
    ['queued', null, 22],
    ['sending', null, 21],
  ] as const) {
    const at = next();
    const unknownSince = state === 'unknown' ? T0 : null;
    build.rowOf(at, state, { rawImei: ` ${imeiOf(at.n)}`, batchId, nextAttemptAt, unknownSince });
  }

  // Duplicates: of rows earlier in this file, of rows in the earlier file, chained, and unknown.
  const completedHere = build.ordered(plain(), { status: 'Completed', code: COMPLETED_CODES[2] as string, final: 1 });
  const rejectedHere = build.ordered(plain(), { status: 'Rejected', code: '', final: 1 });
  const invalidHere = build.rowOf(plain(), 'invalid', { rawImei: '=bad', imei: null });
  const chained = build.rowOf(plain(), 'duplicate', {
    rawImei: imeiOf(1),
    imei: imeiOf(1),
    duplicateOf: earlier.completed,
    note: 'stored note',
  });
  for (const duplicateOf of [
    completedHere,
    rejectedHere,
    invalidHere,
    chained,
    earlier.completed,
    earlier.rejected,
    earlier.pending,
    earlier.failed,
    earlier.noOrderId,
    null,
  ]) {
    const at = next();
    const note = duplicateOf === null ? 'same file as earlier/orders.csv, "already" processed' : at.note;
    build.rowOf(at, 'duplicate', { note, duplicateOf });
  }
}

/** Mostly Pending orders, the benchmark's case, with every tenth row something else. */
function bigFile(build: RichStoreBuilder, earlier: EarlierRows): void {
  for (let index = 0; index < BIG_FILE_ROWS; index += 1) {
    const at: RowAt = { fileId: BIG_FILE, line: index + 2, n: 10_000 + index, serviceId: ROW_SERVICES[index % 3] as string };
    const pick = (texts: readonly string[]): string => texts[index % texts.length] as string;
    switch (index % 10) {
      case 3:
        build.ordered(at, { status: 'Completed', code: pick(COMPLETED_CODES), final: 1 });
        break;
      case 5:
        build.ordered(at, { status: 'Rejected', code: pick(REJECTED_CODES), final: 1 });
        break;
      case 7:
        build.rowOf(at, 'invalid', { rawImei: pick(INVALID_RAW), imei: null, note: 'not 15 digits' });
        break;
      case 9:
        build.rowOf({ ...at, serviceId: '1739' }, 'duplicate', { rawImei: imeiOf(1), imei: imeiOf(1), duplicateOf: earlier.completed });
        break;
      default:
        build.ordered(at, { status: 'Pending', placedAt: index % 2 ? T0 : T1 });
    }
  }
}
