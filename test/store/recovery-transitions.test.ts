import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderResult } from '../../src/provider/types.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';
import { withTestAccount } from './test-account.js';

const T0 = '2026-11-28T10:00:00.000Z';
const T1 = '2026-11-28T10:00:05.000Z';
const T2 = '2026-11-28T10:01:00.000Z';
const LATE = '2026-11-28T11:00:00.000Z';

function imei(n: number): string {
  return `35000000000${String(n).padStart(4, '0')}`;
}

function found(orderId: string, n: number, title = 'Checker'): OrderResult {
  return { orderId, imei: imei(n), packageTitle: title, status: 'Completed', code: `Model: phone ${n}`, requestedAt: '2026-11-28 10:00:04' };
}

describe('order recovery in the store', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-recovery-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'test.sqlite'))));
    store.saveCatalogue([{ id: '1739', category: 'c', title: 'Checker', price: '0.08', timeTaken: '1 min', mustRead: '' }], T0);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Three rows sent in one call at T1 after order 1000 was known; the reply is lost; the
   * resubmission of the first two is refused as a repeat (the provider holds their orders).
   */
  function lostCall(): { fileId: number; floor: number } {
    const fileId = store.intake.createFile({ inboxPath: 'f.csv', sha256: 'x', size: 1, folderServiceId: null, now: T0 });
    const rows = [0, 1, 2].map((n) => ({ line: n + 2, rawImei: imei(n), imei: imei(n), serviceId: '1739', note: '' }));
    store.intake.appendRows(fileId, rows, T0);
    store.intake.finishIntake(fileId, 100, T0);
    store.accounts.noteOrderIds(['1000']);
    const first = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    if (!first) throw new Error('no ticket');
    store.batches.recordCallFailure(first, { failureClass: 'unknown', message: 'timed out', haltsSubmission: false }, T1);
    const again = store.batches.beginAttempt(first.batchId, T2);
    if (!again) throw new Error('no ticket');
    store.batches.recordReply(again, { placed: [{ imei: imei(2), orderId: '1010', status: 'Pending' }], duplicates: [imei(0), imei(1)], rejected: [] }, T2);
    return { fileId, floor: first.floorOrderId };
  }

  function row(n: number): { state: string; order_id: string | null; note: string } {
    return store.db.prepare('SELECT state, order_id, note FROM rows WHERE imei = ?').get(imei(n)) as {
      state: string;
      order_id: string | null;
      note: string;
    };
  }

  it('knows where to search: above the highest id known before the lost call', () => {
    const { floor } = lostCall();
    expect(floor).toBe(1000);
    expect(store.recovery.work(5000)).toEqual({ rows: 2, searchAfter: 1000 });
    expect(store.recovery.recoveringRows()).toBe(2);
    expect(store.recovery.isKnown('1010')).toBe(true);
    expect(store.recovery.isKnown('1001')).toBe(false);
  });

  it("adopts a found order by IMEI and service title, with its result, and keeps another account's answer out", () => {
    const { fileId } = lostCall();
    const outcome = store.recovery.recordFound([found('1001', 0), found('1002', 7)], T2);
    expect(outcome).toEqual({ adopted: 1, fileIds: [fileId] });
    expect(row(0)).toMatchObject({ state: 'ordered', order_id: '1001' });
    expect(row(0).note).toMatch(/found among the ids the provider issued/);
    const order = store.db.prepare('SELECT status, code, final FROM orders WHERE order_id = ?').get('1001');
    expect(order).toEqual({ status: 'Completed', code: 'Model: phone 0', final: 1 });
    // An order of ours that no row claims yet is kept for a row that may claim it later.
    expect(store.recovery.unclaimedCount()).toBe(1);
    expect(row(1).state).toBe('recovering');
    // The highest id known rises with what the search found.
    expect(store.accounts.highestOrderId()).toBe(1010);
  });

  it('does not adopt an order of another service, whose title differs', () => {
    lostCall();
    store.recovery.recordFound([found('1003', 1, 'Unlock AT&T')], T2);
    expect(row(1).state).toBe('recovering');
  });

  it('adopts an order found before its row was known to need it', () => {
    lostCall();
    store.recovery.recordFound([found('1004', 1)], T2);
    expect(row(1)).toMatchObject({ state: 'ordered', order_id: '1004' });
  });

  it('searches below the lowest id known for a call made before the account had any order', () => {
    lostCall();
    store.db.prepare('UPDATE rows SET id_floor = 0').run();
    // The lowest id known is 1010 (the resubmission's order); 1000 was only noted, never held.
    expect(store.recovery.work(500)).toEqual({ rows: 2, searchAfter: 510 });
  });

  it('reports a row whose order was not found in time Unconfirmed, naming the ids searched', () => {
    const { fileId } = lostCall();
    store.recovery.advanceScannedTo(1500);
    expect(store.recovery.giveUpExpired(T2).fileIds).toEqual([]);
    expect(store.recovery.giveUpExpired(LATE)).toEqual({ adopted: 0, fileIds: [fileId] });
    expect(row(0).state).toBe('unconfirmed');
    expect(row(0).note).toMatch(/order ids 1001 to 1500 were searched/);
    expect(row(0).note).toMatch(/order history/);
  });
});
