import { withTestAccount } from './test-account.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';

const T0 = '2026-11-28T10:00:00.000Z';
const T1 = '2026-11-28T10:00:05.000Z';
const T2 = '2026-11-28T10:01:00.000Z';

function imei(n: number): string {
  return `35000000000${String(n).padStart(4, '0')}`;
}

describe('the row and batch state machine', () => {
  let dir: string;
  let path: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-store-'));
    path = join(dir, 'test.sqlite');
    store = withTestAccount(new Store(openDatabase(path)));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A file of `count` queued rows planned in batches of `batchSize`; returns its id. */
  function fileWithRows(count: number, batchSize = 100): number {
    const fileId = store.intake.createFile({ inboxPath: 'f.csv', sha256: 'x', size: 1, folderServiceId: null, now: T0 });
    const rows = Array.from({ length: count }, (_, i) => ({ line: i + 2, rawImei: imei(i), imei: imei(i), serviceId: '1739', note: '' }));
    store.intake.appendRows(fileId, rows, T0);
    store.intake.finishIntake(fileId, batchSize, T0);
    return fileId;
  }

  function states(fileId: number): Record<string, string> {
    const rows = store.db.prepare('SELECT imei, state FROM rows WHERE file_id = ? ORDER BY id').all(fileId) as {
      imei: string;
      state: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.imei, r.state]));
  }

  it('opens the database in WAL mode with synchronous=FULL', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('commits the attempt before the call: another connection sees the rows sending', () => {
    fileWithRows(3);
    const batch = store.batches.nextPlanned(0);
    const ticket = store.batches.beginAttempt(batch?.id ?? -1, T1);
    expect(ticket?.imeis).toEqual([imei(0), imei(1), imei(2)]);
    const other = new Database(path, { readonly: true });
    expect(other.prepare(`SELECT COUNT(*) FROM rows WHERE state = 'sending'`).pluck().get()).toBe(3);
    expect(other.prepare('SELECT COUNT(*) FROM attempts WHERE outcome IS NULL').pluck().get()).toBe(1);
    other.close();
  });

  it('moves each row by the reply, and rows the reply leaves out become unknown', () => {
    const fileId = fileWithRows(4);
    const ticket = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    if (!ticket) throw new Error('no ticket');
    const counts = store.batches.recordReply(
      ticket,
      { placed: [{ imei: imei(0), orderId: '900', status: 'Pending' }], duplicates: [imei(1)], rejected: [imei(2)] },
      T1,
    );
    expect(counts).toEqual({
      ordered: 1,
      duplicates: 1,
      recovering: 0,
      rejected: 1,
      refused: 0,
      unaccounted: 1,
      settling: 0,
      splitIntoSingles: true,
      learntOneImeiPerCall: true,
    });
    expect(states(fileId)).toEqual({ [imei(0)]: 'ordered', [imei(1)]: 'duplicate', [imei(2)]: 'invalid', [imei(3)]: 'unknown' });
    expect(store.db.prepare('SELECT order_id FROM rows WHERE imei = ?').pluck().get(imei(0))).toBe('900');
    expect(store.db.prepare('SELECT unknown_since FROM rows WHERE imei = ?').pluck().get(imei(3))).toBe(T1);
    // The unknown row goes on in a one-IMEI batch of its own; the first batch is done.
    expect(store.db.prepare('SELECT state FROM batches WHERE id = ?').pluck().get(ticket.batchId)).toBe('settled');
    const again = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T2);
    expect(again?.imeis).toEqual([imei(3)]);
    expect(store.accounts.imeisPerCall('1739')).toBe(1);
  });

  it('sends a service the server ordered one IMEI of a list for one IMEI per call, each in a batch of its own', () => {
    const fileId = fileWithRows(5);
    const ticket = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    if (!ticket) throw new Error('no ticket');
    // The recorded live server: a list of IMEIs, one order, for the last.
    store.batches.recordReply(ticket, { placed: [{ imei: imei(4), orderId: '910', status: 'Pending' }], duplicates: [], rejected: [] }, T1);
    const sent: string[][] = [];
    for (let batch = store.batches.nextPlanned(0); batch; batch = store.batches.nextPlanned(batch.id)) {
      sent.push(store.batches.beginAttempt(batch.id, T2)?.imeis ?? []);
    }
    expect(sent).toEqual([[imei(0)], [imei(1)], [imei(2)], [imei(3)]]);
    expect(states(fileId)).toMatchObject({ [imei(4)]: 'ordered' });
  });

  it('splits a planned batch into one-IMEI batches when the service is known to take one IMEI per call', () => {
    fileWithRows(3);
    store.batches.batching = 'single';
    const first = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    expect(first?.imeis).toEqual([imei(0)]);
    const planned = store.db.prepare(`SELECT COUNT(*) FROM batches WHERE state = 'planned'`).pluck().get();
    expect(planned).toBe(2);
  });

  it('never ties a row to an order id the account already gave for another IMEI', () => {
    const fileId = fileWithRows(2, 1);
    const a = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    const b = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    if (!a || !b) throw new Error('no ticket');
    store.batches.recordReply(a, { placed: [{ imei: imei(0), orderId: '800', status: 'Pending' }], duplicates: [], rejected: [] }, T1);
    store.batches.recordReply(b, { placed: [{ imei: imei(1), orderId: '800', status: 'Pending' }], duplicates: [], rejected: [] }, T2);
    expect(states(fileId)).toEqual({ [imei(0)]: 'ordered', [imei(1)]: 'unknown' });
    expect(store.db.prepare('SELECT order_id FROM rows WHERE imei = ?').pluck().get(imei(1))).toBeNull();
  });

  it('records replies that arrive together in one commit, each whole', () => {
    const fileId = fileWithRows(2, 1);
    const tickets = [1, 2].map(() => store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1));
    const [a, b] = tickets;
    if (!a || !b) throw new Error('no ticket');
    const counts = store.batches.recordReplies(
      [
        { ticket: a, result: { placed: [{ imei: imei(0), orderId: '700', status: 'Pending' }], duplicates: [], rejected: [] } },
        { ticket: b, result: { placed: [], duplicates: [imei(1)], rejected: [] } },
      ],
      T2,
    );
    expect(counts.map((c) => [c.ordered, c.duplicates])).toEqual([[1, 0], [0, 1]]);
    expect(states(fileId)).toEqual({ [imei(0)]: 'ordered', [imei(1)]: 'duplicate' });
    expect(store.db.prepare('SELECT COUNT(*) FROM attempts WHERE outcome IS NULL').pluck().get()).toBe(0);
  });

  it('looks up the order of a resubmitted unknown row that the provider refuses as a repeat, dated by the lost call', () => {
    const fileId = fileWithRows(2);
    const first = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    if (!first) throw new Error('no ticket');
    store.batches.recordCallFailure(first, { failureClass: 'unknown', message: 'timed out', haltsSubmission: false }, T1);
    expect(states(fileId)).toEqual({ [imei(0)]: 'unknown', [imei(1)]: 'unknown' });
    const second = store.batches.beginAttempt(first.batchId, T2);
    if (!second) throw new Error('no ticket');
    store.batches.recordReply(second, { placed: [{ imei: imei(1), orderId: '901', status: 'Pending' }], duplicates: [imei(0)], rejected: [] }, T2);
    expect(states(fileId)).toEqual({ [imei(0)]: 'recovering', [imei(1)]: 'ordered' });
    const note = store.db.prepare('SELECT note FROM rows WHERE imei = ?').pluck().get(imei(0)) as string;
    expect(note).toContain('2026-11-28 10:00:05 UTC');
    expect(note).toMatch(/looking up its order id/);
    // Its search starts above the highest order id known when the lost call began.
    expect(store.db.prepare('SELECT id_floor FROM rows WHERE imei = ?').pluck().get(imei(0))).toBe(first.floorOrderId);
  });

  it('puts rows back by the failure class: safe waits, unknown stays unknown, permanent fails without retry', () => {
    const fileId = fileWithRows(3, 1);
    const [a, b, c] = [1, 2, 3].map(() => {
      const batch = store.batches.nextPlanned(0);
      const ticket = store.batches.beginAttempt(batch?.id ?? -1, T1);
      if (!ticket) throw new Error('no ticket');
      return ticket;
    });
    store.batches.recordCallFailure(a!, { failureClass: 'safe', message: 'HTTP 429', haltsSubmission: false }, T1);
    store.batches.recordCallFailure(b!, { failureClass: 'unknown', message: 'reset', haltsSubmission: false }, T1);
    store.batches.recordCallFailure(c!, { failureClass: 'permanent', message: 'Invalid Network ID!', haltsSubmission: false }, T1);
    expect(states(fileId)).toEqual({ [imei(0)]: 'queued', [imei(1)]: 'unknown', [imei(2)]: 'failed' });
    expect(store.db.prepare('SELECT next_attempt_at FROM rows WHERE imei = ?').pluck().get(imei(2))).toBeNull();
  });

  it('keeps a row an earlier lost call may have ordered when its resubmission is refused for good', () => {
    const fileId = fileWithRows(1);
    const first = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    if (!first) throw new Error('no ticket');
    store.batches.recordCallFailure(first, { failureClass: 'unknown', message: 'reset', haltsSubmission: false }, T1);
    const second = store.batches.beginAttempt(first.batchId, T2);
    if (!second) throw new Error('no ticket');
    store.batches.recordCallFailure(second, { failureClass: 'permanent', message: 'Invalid Network ID!', haltsSubmission: false }, T2);
    expect(states(fileId)).toEqual({ [imei(0)]: 'unknown' });
    expect(store.retries.waiting()).toEqual({ rows: 1, earliest: T2 });
  });

  it('after the tries: queued rows fail and wait for the retry, unknown rows are never called Failed', () => {
    const fileId = fileWithRows(2);
    const ticket = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    if (!ticket) throw new Error('no ticket');
    store.batches.recordCallFailure(ticket, { failureClass: 'unknown', message: 'reset', haltsSubmission: false }, T1);
    store.db.prepare(`UPDATE rows SET state = 'queued', unknown_since = NULL WHERE imei = ?`).run(imei(0));
    store.batches.settleBatch(ticket.batchId, 'connection refused', T2, T2);
    expect(states(fileId)).toEqual({ [imei(0)]: 'failed', [imei(1)]: 'unknown' });
    expect(store.isFileSettled(fileId)).toBe(true);
    expect(store.retries.waiting()).toEqual({ rows: 2, earliest: T2 });
    // The unknown row is asked again within seconds, not at the schedule's next run: a quarter
    // of the 55 s it has been unknown is less than 15 s, so 15 s.
    const recheck = store.db.prepare('SELECT next_attempt_at FROM rows WHERE imei = ?').pluck().get(imei(1));
    expect(recheck).toBe('2026-11-28T10:01:15.000Z');
  });

  it('recovers calls that were in flight at a crash: their rows become unknown, dated by the attempt', () => {
    const fileId = fileWithRows(2);
    store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    store.close();
    store = withTestAccount(new Store(openDatabase(path)));
    expect(store.batches.recoverInterrupted(T2)).toEqual({ attempts: 1, rows: 2 });
    expect(states(fileId)).toEqual({ [imei(0)]: 'unknown', [imei(1)]: 'unknown' });
    expect(store.db.prepare('SELECT DISTINCT unknown_since FROM rows').pluck().all()).toEqual([T1]);
    expect(store.batches.nextPlanned(0)).toMatchObject({ state: 'planned' });
  });

  it('retries due rows in new batches, all waiting rows when forced, and gives up after maxAgeHours', () => {
    const fileId = fileWithRows(3);
    const ticket = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T1);
    if (!ticket) throw new Error('no ticket');
    store.batches.recordCallFailure(ticket, { failureClass: 'safe', message: 'refused', haltsSubmission: false }, T1);
    const later = '2026-11-28T11:00:00.000Z';
    store.batches.settleBatch(ticket.batchId, 'refused', later, T1);
    expect(store.retries.requeueDue(T2, 72, 100, false).requeued).toBe(0);
    expect(store.retries.requeueDue(T2, 72, 100, true)).toMatchObject({ requeued: 3, batches: 1, fileIds: [fileId] });
    expect(states(fileId)).toEqual({ [imei(0)]: 'queued', [imei(1)]: 'queued', [imei(2)]: 'queued' });

    // Fail them again, then look three days later: given up, with a note, never retried.
    const again = store.batches.beginAttempt(store.batches.nextPlanned(0)?.id ?? -1, T2);
    if (!again) throw new Error('no ticket');
    store.batches.recordCallFailure(again, { failureClass: 'safe', message: 'refused', haltsSubmission: false }, T2);
    store.batches.settleBatch(again.batchId, 'refused', later, T2);
    const outcome = store.retries.requeueDue('2026-12-01T12:00:00.000Z', 72, 100, false);
    expect(outcome).toMatchObject({ requeued: 0, givenUp: 3 });
    expect(store.db.prepare('SELECT note FROM rows LIMIT 1').pluck().get()).toMatch(/given up after 72 h/);
    expect(store.retries.waiting().rows).toBe(0);
  });
});
