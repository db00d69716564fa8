import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BracketingCalls } from '../../src/engine/bracketing-calls.js';
import type { PumpState } from '../../src/engine/send-guard.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';
import type { BatchRecord } from '../../src/store/types.js';
import { withTestAccount } from '../store/test-account.js';

const T0 = '2026-12-01T10:00:00.000Z';
const NOW = Date.parse('2026-12-01T10:00:01.000Z');

function imei(n: number): string {
  return `35000000002${String(n).padStart(4, '0')}`;
}

function pump(taken: readonly number[] = []): PumpState {
  return { inFlight: taken.length, isTaken: (id) => taken.includes(id) };
}

describe('bracketing calls on a server that may charge a repeat', () => {
  let dir: string;
  let store: Store;
  let active: boolean;
  let bracketing: BracketingCalls;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-bracket-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'test.sqlite'))));
    store.settling.policy = { resendUnknown: false, callMarginMs: 10_000, windowMs: 3_600_000 };
    active = true;
    bracketing = new BracketingCalls(store, { active: () => active, filesBeingRead: () => false, wake: () => undefined, now: () => NOW });
  });
  afterEach(() => {
    bracketing.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fileWithRows(count: number, first = 0): number {
    const fileId = store.intake.createFile({ inboxPath: `f${first}.csv`, sha256: `x${first}`, size: 1, folderServiceId: null, now: T0 });
    const rows = Array.from({ length: count }, (_, i) => ({ line: i + 2, rawImei: imei(first + i), imei: imei(first + i), serviceId: '1739', note: '' }));
    store.intake.appendRows(fileId, rows, T0);
    store.intake.finishIntake(fileId, 100, T0);
    return fileId;
  }

  function planned(): BatchRecord[] {
    const batches: BatchRecord[] = [];
    for (let batch = store.batches.nextPlanned(0); batch; batch = store.batches.nextPlanned(batch.id)) batches.push(batch);
    return batches;
  }

  it('sends the first order of an account alone: no other call while it is out', () => {
    fileWithRows(300);
    const [first, second] = planned() as [BatchRecord, BatchRecord];
    expect(bracketing.holds(first, pump())).toBe(false);
    expect(bracketing.holds(second, pump([first.id]))).toBe(true);
    store.accounts.noteOrderIds(['5000']);
    expect(bracketing.holds(second, pump([first.id]))).toBe(false);
  });

  it('sets the last IMEI of a run aside and sends it once every other call has ended', () => {
    store.accounts.noteOrderIds(['5000']);
    fileWithRows(150);
    const [first, last] = planned() as [BatchRecord, BatchRecord];
    bracketing.prepare(first, pump());
    expect(planned()).toHaveLength(2); // not the last one: nothing set aside
    bracketing.prepare(last, pump([first.id]));
    const reserve = planned()[2] as BatchRecord;
    expect(store.pacing.queuedRows(last.id)).toBe(49);
    expect(store.pacing.queuedRows(reserve.id)).toBe(1);
    expect(bracketing.setsAside(reserve.id)).toBe(true);
    expect(bracketing.holds(reserve, pump([first.id, last.id]))).toBe(true);
    expect(bracketing.holds(reserve, pump())).toBe(false);
  });

  it('sets two aside while lost calls wait for a ceiling, the second after the first', () => {
    store.accounts.noteOrderIds(['5000']);
    fileWithRows(1, 900);
    const lost = store.batches.beginAttempt(planned()[0]?.id ?? -1, T0);
    if (!lost) throw new Error('nothing to send');
    store.batches.recordCallFailure(lost, { failureClass: 'unknown', message: 'reset', haltsSubmission: false }, T0);
    fileWithRows(50);
    const [batch] = planned() as [BatchRecord];
    bracketing.prepare(batch, pump());
    const [, first, second] = planned() as [BatchRecord, BatchRecord, BatchRecord];
    expect(store.pacing.queuedRows(batch.id)).toBe(48);
    // The lost call is over only 10 s after it failed: the first reserve waits for that, the second for the first.
    expect(bracketing.holds(first, pump([batch.id]))).toBe(true);
    const sent = store.batches.beginAttempt(batch.id, T0);
    if (!sent) throw new Error('nothing to send');
    store.batches.recordReply(sent, { placed: sent.imeis.map((i, n) => ({ imei: i, orderId: String(6000 + n), status: 'Pending' as const })), duplicates: [], rejected: [] }, T0);
    expect(bracketing.holds(first, pump())).toBe(true);
    expect(bracketing.holds(second, pump())).toBe(true);
  });

  it('sends what was set aside at once when new work comes, and never brackets where repeats are refused', () => {
    store.accounts.noteOrderIds(['5000']);
    fileWithRows(10);
    const [batch] = planned() as [BatchRecord];
    bracketing.prepare(batch, pump());
    const reserve = planned()[1] as BatchRecord;
    fileWithRows(10, 100);
    expect(bracketing.holds(reserve, pump([batch.id]))).toBe(false);
    active = false;
    const [, , next] = planned() as [BatchRecord, BatchRecord, BatchRecord];
    bracketing.prepare(next, pump());
    expect(planned()).toHaveLength(3);
    expect(bracketing.holds(next, pump([batch.id]))).toBe(false);
  });
});
