import { withTestAccount } from './test-account.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderResult } from '../../src/provider/types.js';
import { withCheckDigit } from '../../src/simulator/index.js';
import { openDatabase } from '../../src/store/db.js';
import { giveUpNote } from '../../src/store/order-transitions.js';
import { Store } from '../../src/store/store.js';

const T0 = '2026-03-01T10:00:00.000Z';

function imeiNo(n: number): string {
  return withCheckDigit(`35337008${String(n).padStart(6, '0')}`);
}

function hoursAfter(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}

interface OrderRow {
  order_id: string;
  status: string;
  code: string;
  requested_at: string | null;
  polled_at: string | null;
  final: number;
  note: string;
}

/**
 * A file whose rows were ordered through the real transitions (intake, attempt, reply), with
 * order ids `firstId`, `firstId + 1`, ..., and its report written (`done`, nothing dirty).
 */
function orderedFile(store: Store, name: string, imeis: readonly string[], firstId: number, now = T0): number {
  const fileId = store.intake.createFile({ inboxPath: name, sha256: name, size: 1, folderServiceId: null, now });
  store.intake.appendRows(
    fileId,
    imeis.map((imei, i) => ({ line: i + 2, rawImei: imei, imei, serviceId: '1739', note: '' })),
    now,
  );
  store.intake.finishIntake(fileId, 100, now);
  for (let batch = store.batches.nextPlanned(0); batch; batch = store.batches.nextPlanned(0)) {
    const ticket = store.batches.beginAttempt(batch.id, now);
    if (!ticket) continue;
    const placed = ticket.imeis.map((imei) => ({
      imei,
      orderId: String(firstId + imeis.indexOf(imei)),
      status: 'Pending' as const,
    }));
    store.batches.recordReply(ticket, { placed, duplicates: [], rejected: [] }, now);
  }
  settleReport(store, fileId, name);
  return fileId;
}

function settleReport(store: Store, fileId: number, stem: string): void {
  store.beginReporting(fileId, stem, T0);
  store.markDone(fileId, store.reportVersion(fileId));
}

function result(orderId: string, imei: string, status: OrderResult['status'], code = ''): OrderResult {
  return { orderId, imei, packageTitle: 'iPhone check', status, code, requestedAt: '2026-03-01 10:00:05' };
}

describe('OrderTransitions', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-orders-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'test.sqlite'))));
  });
  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const order = (orderId: string): OrderRow =>
    store.db.prepare('SELECT * FROM orders WHERE order_id = ?').get(orderId) as OrderRow;
  const dirty = (fileId: number): number => store.reportVersion(fileId);

  it('hands out open orders oldest poll first, page by page, skipping final, old and already-polled ones', () => {
    orderedFile(store, 'a.csv', [1, 2, 3, 4, 5, 6].map(imeiNo), 100);
    const db = store.db;
    db.prepare(`UPDATE orders SET polled_at = ? WHERE order_id = '101'`).run(hoursAfter(T0, 1));
    db.prepare(`UPDATE orders SET polled_at = ? WHERE order_id = '100'`).run(hoursAfter(T0, 2));
    db.prepare(`UPDATE orders SET final = 1 WHERE order_id = '102'`).run();
    db.prepare(`UPDATE orders SET placed_at = ? WHERE order_id = '103'`).run(hoursAfter(T0, -200));
    const roundStart = hoursAfter(T0, 3);
    const query = { placedSince: hoursAfter(T0, -168), polledBefore: roundStart };

    // In the order placed; final and too old orders are left out.
    const first = store.orders.openOrders({ ...query, limit: 2 });
    expect(first.map((o) => o.orderId)).toEqual(['100', '101']);
    const second = store.orders.openOrders({ ...query, limit: 2, after: { seq: first[1]?.seq ?? 0 } });
    expect(second.map((o) => o.orderId)).toEqual(['104', '105']);

    // An order asked about during this round drops out of the walk.
    store.orders.markPolled(['104'], hoursAfter(T0, 3.5));
    expect(store.orders.openOrders({ ...query, limit: 10 }).map((o) => o.orderId)).toEqual(['100', '101', '105']);
  });

  it('records results in one go: status, code, provider date, final for Completed and Rejected, reports marked stale', () => {
    const imeis = [1, 2, 3].map(imeiNo);
    const fileId = orderedFile(store, 'a.csv', imeis, 200);
    expect(dirty(fileId)).toBe(0);

    const code = 'Model: iPhone 11 - Carrier: Unlocked - SimLock: Unlocked';
    const outcome = store.orders.recordResults(
      [
        result('200', imeis[0] as string, 'Completed', code),
        result('201', imeis[1] as string, 'Rejected', 'Invalid_IMEI'),
        result('202', imeis[2] as string, 'In Process'),
      ],
      hoursAfter(T0, 1),
    );
    expect(outcome).toMatchObject({ changed: 3, finalised: 2, mismatched: [], fileIds: [fileId] });
    expect(order('200')).toMatchObject({ status: 'Completed', code, final: 1, requested_at: '2026-03-01 10:00:05' });
    expect(order('201')).toMatchObject({ status: 'Rejected', code: 'Invalid_IMEI', final: 1 });
    expect(order('202')).toMatchObject({ status: 'In Process', final: 0, polled_at: hoursAfter(T0, 1) });
    expect(dirty(fileId)).toBe(1);

    // The same answer again changes nothing and marks nothing, but dates the poll.
    const again = store.orders.recordResults([result('202', imeis[2] as string, 'In Process')], hoursAfter(T0, 2));
    expect(again).toMatchObject({ changed: 0, fileIds: [] });
    expect(order('202').polled_at).toBe(hoursAfter(T0, 2));
    expect(dirty(fileId)).toBe(1);

    // A final order is never rewritten by a later answer.
    store.orders.recordResults([result('200', imeis[0] as string, 'Pending')], hoursAfter(T0, 3));
    expect(order('200')).toMatchObject({ status: 'Completed', code, final: 1 });
  });

  it('marks stale the report of a later file whose duplicate row names the order', () => {
    const imei = imeiNo(7);
    const firstFile = orderedFile(store, 'first.csv', [imei], 300);
    const laterFile = store.intake.createFile({ inboxPath: 'later.csv', sha256: 'later', size: 1, folderServiceId: null, now: T0 });
    store.intake.appendRows(laterFile, [{ line: 2, rawImei: imei, imei, serviceId: '1739', note: '' }], T0);
    store.intake.finishIntake(laterFile, 100, T0);
    settleReport(store, laterFile, 'later');
    expect(store.db.prepare('SELECT state FROM rows WHERE file_id = ?').pluck().get(laterFile)).toBe('duplicate');

    const outcome = store.orders.recordResults([result('300', imei, 'Completed', 'Model: X')], hoursAfter(T0, 1));
    expect(outcome.fileIds).toEqual([firstFile, laterFile]);
    expect(dirty(laterFile)).toBe(1);
  });

  it("ignores a result that names another IMEI than the order's", () => {
    const imeis = [8, 9].map(imeiNo);
    const fileId = orderedFile(store, 'a.csv', imeis, 400);
    const outcome = store.orders.recordResults([result('400', imeis[1] as string, 'Completed', 'Model: Y')], T0);
    expect(outcome).toMatchObject({ changed: 0, mismatched: ['400'], fileIds: [] });
    expect(order('400')).toMatchObject({ status: 'Pending', code: '', final: 0 });
    expect(dirty(fileId)).toBe(0);
  });

  it('dates orders the provider left out without changing anything else', () => {
    orderedFile(store, 'a.csv', [imeiNo(10)], 500);
    store.orders.markPolled(['500', '999'], hoursAfter(T0, 1));
    expect(order('500')).toMatchObject({ status: 'Pending', final: 0, polled_at: hoursAfter(T0, 1) });
  });

  it('gives up orders older than the age limit: final, with a note, reports marked stale', () => {
    const fileId = orderedFile(store, 'a.csv', [11, 12].map(imeiNo), 600);
    store.db.prepare(`UPDATE orders SET placed_at = ? WHERE order_id = '600'`).run(hoursAfter(T0, -169));

    const outcome = store.orders.giveUpStaleOrders(168, T0);
    expect(outcome).toEqual({ orderIds: ['600'], fileIds: [fileId] });
    expect(order('600')).toMatchObject({ final: 1, status: 'Pending', note: giveUpNote(168) });
    expect(giveUpNote(168)).toBe("no final result after 168 h; the daemon stopped asking: check the provider's site");
    expect(order('601')).toMatchObject({ final: 0, note: '' });
    expect(dirty(fileId)).toBe(1);
    expect(store.orders.giveUpStaleOrders(168, T0).orderIds).toEqual([]);
  });
});
