import { withTestAccount } from '../store/test-account.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionNote, toReportRow } from '../../src/report/report-row.js';
import { openDatabase } from '../../src/store/db.js';
import { reportSourceRows, type EarlierRowSource, type ReportSource } from '../../src/store/report-queries.js';
import { Store } from '../../src/store/store.js';
import type { RowState } from '../../src/store/types.js';
import type { ProviderStatus } from '../../src/provider/types.js';

const IMEI = '353979106673567';
const APPLE =
  'Model: iPhone 11 Purple 64GB - IMEI Number: 353979106673567 - Serial Number: F4GZLH2XN72N - ' +
  'IMEI2 Number: 353979106589748 - MEID Number: 35397910667356 - Carrier: AT&T - Locked Policy - ' +
  'Next Tether Policy: 23 - Find My iPhone: ON - SimLock: Locked';

function source(overrides: Partial<ReportSource> = {}): ReportSource {
  return {
    fileId: 1,
    line: 12,
    rawImei: IMEI,
    imei: IMEI,
    serviceId: '1739',
    state: 'ordered',
    note: '',
    orderId: '15556534',
    unknownSince: null,
    orderStatus: 'Pending',
    orderCode: '',
    requestedAt: null,
    placedAt: '2026-03-01T10:00:00.000Z',
    orderNote: '',
    serviceTitle: 'iPhone Full Info Check',
    servicePrice: '0.08',
    earlier: null,
    ...overrides,
  };
}

function earlier(overrides: Partial<EarlierRowSource> = {}): EarlierRowSource {
  return {
    fileId: 7,
    file: 'orders.csv',
    line: 12,
    state: 'ordered',
    orderId: '15556534',
    orderStatus: 'Completed',
    orderCode: APPLE,
    orderNote: '',
    ...overrides,
  };
}

describe('toReportRow', () => {
  it.each<[RowState, ProviderStatus | null, string]>([
    ['ordered', 'Pending', 'Pending'],
    ['ordered', 'In Process', 'In Process'],
    ['ordered', 'Completed', 'Completed'],
    ['ordered', 'Rejected', 'Rejected'],
    ['ordered', null, 'Pending'],
    ['invalid', null, 'Invalid'],
    ['duplicate', null, 'Duplicate'],
    ['failed', null, 'Failed'],
    ['unknown', null, 'Checking'],
    ['recovering', null, 'Checking'],
    ['unconfirmed', null, 'Unconfirmed'],
    ['queued', null, 'Queued'],
    ['sending', null, 'Queued'],
  ])('a %s row whose order is %s shows %s', (state, orderStatus, status) => {
    expect(toReportRow(source({ state, orderStatus })).status).toBe(status);
  });

  it('an unknown row no longer being checked (its resubmissions given up) shows Unknown, never Unconfirmed', () => {
    expect(toReportRow(source({ state: 'unknown', orderStatus: null, stillChecking: false })).status).toBe('Unknown');
    expect(toReportRow(source({ state: 'unknown', orderStatus: null, stillChecking: true })).status).toBe('Checking');
  });

  it("fills MODEL, CARRIER, SIMLOCK, FMI and IMEI 2 from a Completed order's CODE", () => {
    const row = toReportRow(source({ orderStatus: 'Completed', orderCode: APPLE }));
    expect(row).toMatchObject({
      service: 'iPhone Full Info Check',
      credits: '$0.08',
      status: 'Completed',
      code: APPLE,
      model: 'iPhone 11 Purple 64GB',
      carrier: 'AT&T - Locked Policy',
      simlock: 'Locked',
      fmi: 'ON',
      imei2: '353979106589748',
      orderId: '15556534',
      row: 12,
      note: '',
    });
  });

  it('leaves the result columns empty until the order is Completed', () => {
    const row = toReportRow(source({ orderStatus: 'In Process', orderCode: 'Model: iPhone 11' }));
    expect(row).toMatchObject({ model: '', carrier: '', simlock: '', fmi: '', imei2: '' });
  });

  it("dates the order by the provider's requestedat, else by when it was placed", () => {
    expect(toReportRow(source({ requestedAt: '2026-03-01 10:00:05' })).orderDate).toBe('2026-03-01 10:00:05');
    expect(toReportRow(source({ requestedAt: null })).orderDate).toBe('2026-03-01 10:00:00');
    expect(toReportRow(source({ requestedAt: '' })).orderDate).toBe('2026-03-01 10:00:00');
    expect(toReportRow(source({ state: 'failed', orderId: null, placedAt: null })).orderDate).toBe('');
  });

  it("gives a Rejected row the provider's reason in CODE and plain words in NOTE", () => {
    const row = toReportRow(source({ orderStatus: 'Rejected', orderCode: 'Invalid_IMEI' }));
    expect(row).toMatchObject({
      status: 'Rejected',
      code: 'Invalid_IMEI',
      model: '',
      note: 'the provider rejected the order: the IMEI failed its check (Invalid_IMEI)',
    });
  });

  it.each([
    ['Invalid_IMEI', 'the provider rejected the order: the IMEI failed its check (Invalid_IMEI)'],
    ['INVALID IMEI', 'the provider rejected the order: the IMEI failed its check (INVALID IMEI)'],
    ['Not Found', 'the provider rejected the order: the provider found no record of this IMEI (Not Found)'],
    ['Device is not Samsung', 'the provider rejected the order: Device is not Samsung'],
    ['<b>Out of stock</b>', 'the provider rejected the order: Out of stock'],
    ['', 'the provider rejected the order without giving a reason'],
  ])('explains the rejection reason %j', (reason, note) => {
    expect(rejectionNote(reason)).toBe(note);
  });

  it("shows an order's give-up note", () => {
    const note = "no final result after 168 h; the daemon stopped asking: check the provider's site";
    expect(toReportRow(source({ orderStatus: 'In Process', orderNote: note })).note).toBe(note);
  });

  it('names the earlier order of another file and its result, with the result columns', () => {
    const row = toReportRow(
      source({ state: 'duplicate', orderId: null, orderStatus: null, placedAt: null, line: 3, earlier: earlier() }),
    );
    expect(row).toMatchObject({
      status: 'Duplicate',
      credits: '',
      orderId: '',
      orderDate: '',
      note: 'already sent: order 15556534 from orders.csv, row 12: Completed',
      code: APPLE,
      carrier: 'AT&T - Locked Policy',
      fmi: 'ON',
    });
  });

  it('names an earlier order still open, rejected, or not placed', () => {
    const dup = (e: EarlierRowSource): string =>
      toReportRow(source({ state: 'duplicate', orderId: null, orderStatus: null, earlier: e })).note;
    expect(dup(earlier({ orderStatus: 'In Process', orderCode: '' }))).toBe(
      'already sent: order 15556534 from orders.csv, row 12: In Process',
    );
    expect(dup(earlier({ orderStatus: 'Rejected', orderCode: 'Invalid_IMEI' }))).toBe(
      'already sent: order 15556534 from orders.csv, row 12: Rejected (Invalid_IMEI)',
    );
    expect(dup(earlier({ state: 'unknown', orderId: null, orderStatus: null, orderCode: null }))).toBe(
      'already sent: an order from orders.csv, row 12: Checking',
    );
    expect(dup(earlier({ fileId: 1, line: 4 }))).toBe('same IMEI as row 4 of this file (order 15556534: Completed)');
    // Results of an earlier order that is not Completed are not copied.
    const open = toReportRow(source({ state: 'duplicate', earlier: earlier({ orderStatus: 'Pending' }) }));
    expect(open).toMatchObject({ code: '', model: '' });
  });

  it('keeps the stored note of a duplicate without a known earlier row', () => {
    const note = 'the provider already holds an order for this IMEI on service 1739 (refused as a repeat, not charged)';
    expect(toReportRow(source({ state: 'duplicate', orderId: null, note })).note).toBe(note);
  });
});

describe('duplicate notes rendered from the store', () => {
  let dir: string;
  let store: Store;
  const T0 = '2026-03-01T10:00:00.000Z';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-report-row-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'test.sqlite'))));
  });
  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function intake(name: string, imeis: readonly string[]): number {
    const fileId = store.intake.createFile({ inboxPath: name, sha256: name, size: 1, folderServiceId: null, now: T0 });
    store.intake.appendRows(
      fileId,
      imeis.map((imei, i) => ({ line: i + 2, rawImei: imei, imei, serviceId: '1739', note: '' })),
      T0,
    );
    store.intake.finishIntake(fileId, 100, T0);
    return fileId;
  }

  it('follow the earlier order to its result', () => {
    const first = intake('orders.csv', ['353370080089458', IMEI]);
    const batch = store.batches.nextPlanned(0);
    const ticket = batch && store.batches.beginAttempt(batch.id, T0);
    if (!ticket) throw new Error('no attempt');
    store.batches.recordReply(
      ticket,
      { placed: [{ imei: IMEI, orderId: '15556534', status: 'Pending' }], duplicates: [], rejected: [] },
      T0,
    );
    const later = intake('later.csv', [IMEI, IMEI]);
    const notes = (): string[] => [...reportSourceRows(store.db, later)].map((row) => toReportRow(row).note);

    expect(notes()).toEqual([
      'already sent: order 15556534 from orders.csv, row 3: Pending',
      'already sent: order 15556534 from orders.csv, row 3: Pending',
    ]);
    store.orders.recordResults(
      [{ orderId: '15556534', imei: IMEI, packageTitle: '', status: 'Completed', code: APPLE, requestedAt: '' }],
      T0,
    );
    expect(notes()[0]).toBe('already sent: order 15556534 from orders.csv, row 3: Completed');
    const firstRows = [...reportSourceRows(store.db, first)].map(toReportRow);
    expect(firstRows[1]).toMatchObject({ status: 'Completed', model: 'iPhone 11 Purple 64GB', orderDate: '2026-03-01 10:00:00' });
  });
});
