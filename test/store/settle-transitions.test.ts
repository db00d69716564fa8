import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import type { AttemptTicket } from '../../src/store/batch-transitions.js';
import { Store } from '../../src/store/store.js';
import { withTestAccount } from './test-account.js';

const T0 = '2026-12-01T10:00:00.000Z';
const T1 = '2026-12-01T10:00:05.000Z';
const T2 = '2026-12-01T10:00:20.000Z';
const T3 = '2026-12-01T10:01:00.000Z';
const MARGIN_MS = 10_000;

function imei(n: number): string {
  return `35000000001${String(n).padStart(4, '0')}`;
}

const LOST = { failureClass: 'unknown' as const, message: 'provider timed out', haltsSubmission: false };

/** Settling an unknown outcome on a server that may charge a repeat (issue 19): never resent, decided from the order ids. */
describe('settling unknown rows from the order ids', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-settle-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'test.sqlite'))));
    store.settling.policy = { resendUnknown: false, callMarginMs: MARGIN_MS, windowMs: 3_600_000 };
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fileWithRows(count: number, first = 0, batchSize = 100): number {
    const fileId = store.intake.createFile({ inboxPath: `f${first}.csv`, sha256: `x${first}`, size: 1, folderServiceId: null, now: T0 });
    const rows = Array.from({ length: count }, (_, i) => ({ line: i + 2, rawImei: imei(first + i), imei: imei(first + i), serviceId: '1739', note: '' }));
    store.intake.appendRows(fileId, rows, T0);
    store.intake.finishIntake(fileId, batchSize, T0);
    return fileId;
  }

  function begin(now: string): AttemptTicket {
    const batch = store.batches.nextPlanned(0);
    const ticket = store.batches.beginAttempt(batch?.id ?? -1, now);
    if (!ticket) throw new Error('nothing to send');
    return ticket;
  }

  function row(n: number): Record<string, unknown> {
    return store.db
      .prepare(
        `SELECT state, id_floor AS floor, id_ceiling AS ceiling, call_over_at AS overAt, next_attempt_at AS nextAttemptAt, note
           FROM rows WHERE imei = ?`,
      )
      .get(imei(n)) as Record<string, unknown>;
  }

  /** A first call that placed order 1000, so later calls have a floor. */
  function knownOrder(): void {
    fileWithRows(1, 900);
    const ticket = begin(T0);
    store.batches.recordReply(ticket, { placed: [{ imei: imei(900), orderId: '1000', status: 'Pending' }], duplicates: [], rejected: [] }, T0);
  }

  it('a lost call leaves its rows settling: never sent again, neither by the batch nor by the retry job', () => {
    knownOrder();
    fileWithRows(2);
    const ticket = begin(T1);
    const outcome = store.batches.recordCallFailure(ticket, LOST, T1);
    expect(outcome).toEqual({ settling: 2, rowsLeft: 0 });
    expect(row(0)).toMatchObject({ state: 'unknown', floor: 1000, ceiling: null, overAt: '2026-12-01T10:00:15.000Z' });
    expect(row(0).note).toMatch(/may order and charge a repeat, so it is not sent again/);
    expect(store.batches.nextPlanned(0)).toBeUndefined();
    expect(store.retries.requeueDue(T3, 72, 100, true).requeued).toBe(0);
    expect(store.settling.settlingRows()).toBe(2);
  });

  it('an order id of a call begun after the lost one was over is its ceiling; one begun before is not', () => {
    knownOrder();
    fileWithRows(2);
    store.batches.recordCallFailure(begin(T1), LOST, T1);
    fileWithRows(1, 10);
    // Begun at T1 + 1 s, before the lost call is certainly over (T1 + margin): no ceiling.
    store.batches.recordReply(begin('2026-12-01T10:00:06.000Z'), { placed: [{ imei: imei(10), orderId: '1100', status: 'Pending' }], duplicates: [], rejected: [] }, T2);
    expect(row(0).ceiling).toBeNull();
    fileWithRows(1, 11);
    store.batches.recordReply(begin(T2), { placed: [{ imei: imei(11), orderId: '1200', status: 'Pending' }], duplicates: [], rejected: [] }, T2);
    expect(row(0).ceiling).toBe(1200);
    expect(store.settling.lastCallOverAt()).toBeNull();
  });

  it('every id up to the ceiling read without the IMEI: not ordered, queued again in a new batch', () => {
    knownOrder();
    fileWithRows(2);
    store.batches.recordCallFailure(begin(T1), LOST, T1);
    fileWithRows(1, 11);
    store.batches.recordReply(begin(T2), { placed: [{ imei: imei(11), orderId: '1005', status: 'Pending' }], duplicates: [], rejected: [] }, T2);
    // Not read far enough yet: nothing is decided.
    expect(store.settling.decide(1002, 100, T3).requeued).toBe(0);
    const decided = store.settling.decide(1004, 100, T3);
    expect(decided.requeued).toBe(2);
    expect(row(0)).toMatchObject({ state: 'queued', floor: null, ceiling: null, overAt: null, nextAttemptAt: null });
    expect(row(0).note).toMatch(/\(1001 to 1004\) was read and none is this IMEI/);
    expect(begin(T3).imeis).toEqual([imei(0), imei(1)]);
  });

  it('an id in range that holds the IMEI is adopted; one that does not say which IMEI leaves the row undecided', () => {
    knownOrder();
    fileWithRows(2);
    store.batches.recordCallFailure(begin(T1), LOST, T1);
    fileWithRows(1, 11);
    store.batches.recordReply(begin(T2), { placed: [{ imei: imei(11), orderId: '1005', status: 'Pending' }], duplicates: [], rejected: [] }, T2);
    const found = store.recovery.recordFound(
      [
        { orderId: '1001', imei: imei(0), packageTitle: '', status: 'Completed', code: 'ok', requestedAt: '' },
        { orderId: '1002', imei: '', packageTitle: '', status: 'Pending', code: '', requestedAt: '' },
      ],
      T3,
    );
    expect(found.adopted).toBe(1);
    expect(row(0)).toMatchObject({ state: 'ordered' });
    expect(store.settling.decide(1004, 100, T3).requeued).toBe(0);
    const givenUp = store.settling.giveUpUndecided(T3, false);
    expect(givenUp.givenUp).toBe(1);
    expect(row(1)).toMatchObject({ state: 'unknown', nextAttemptAt: null });
    expect(row(1).note).toMatch(/order ids 1001 to 1004, placed between 2026-12-01 10:00:05 UTC and 2026-12-01 10:00:15 UTC/);
    expect(row(1).note).toMatch(/drop it in inbox\/recheck\//);
  });

  it('a crash leaves the rows of calls in flight settling, their call over two margins after it began', () => {
    knownOrder();
    fileWithRows(1);
    begin(T1);
    store.batches.recoverInterrupted(T1);
    expect(row(0)).toMatchObject({ state: 'unknown', floor: 1000, overAt: '2026-12-01T10:00:25.000Z' });
    expect(store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T2)).toBeUndefined();
  });

  it('where the server refuses repeats, unknown rows are resent as before, and rows left settling are resent soon', () => {
    knownOrder();
    fileWithRows(1);
    store.batches.recordCallFailure(begin(T1), LOST, T1);
    store.settling.policy = { ...store.settling.policy, resendUnknown: true };
    expect(store.settling.resumeResending(T2)).toBe(1);
    expect(store.retries.requeueDue(T2, 72, 100, false, true).requeued).toBe(1);
    expect(begin(T3).imeis).toEqual([imei(0)]);
  });

  it('a service the catalogue says cannot be ordered by IMEI is Failed before any call, not retried', () => {
    fileWithRows(2);
    store.batches.notOrderable = new Map([['1739', 'needs Network']]);
    expect(store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1)).toBeUndefined();
    expect(row(0)).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(row(0).note).toMatch(/cannot be ordered with an IMEI alone \(needs Network\)/);
    expect(store.retries.requeueDue(T3, 72, 100, true).requeued).toBe(0);
  });

  it('a call cut short by a lack of credit records what it settled; the rest wait, never Failed', () => {
    knownOrder();
    fileWithRows(3);
    const ticket = begin(T1);
    const partial = {
      settled: { placed: [{ imei: imei(0), orderId: '1001', status: 'Pending' as const }], duplicates: [], rejected: [], refused: [{ imei: imei(1), message: 'Invalid service ID' }] },
      heldBack: [imei(2)],
      notSent: [],
      unknown: [],
    };
    const outcome = store.batches.recordCallFailure(
      ticket,
      { failureClass: 'permanent', message: 'Not enough credits', haltsSubmission: true, partial },
      T1,
    );
    expect(outcome.rowsLeft).toBe(1);
    expect(row(0).state).toBe('ordered');
    expect(row(1)).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(row(2).state).toBe('queued');
    expect(store.batches.nextPlanned(0)?.id).toBe(ticket.batchId);
  });
});
