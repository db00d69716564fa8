/**
 * A first report drafted while the last calls are in flight must be the report rendered whole
 * after the last reply, byte for byte; and a result polled meanwhile must not be missed.
 * Real store, real files; the calls are the store's own transitions.
 */
import { withTestAccount } from '../store/test-account.js';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRAFT_MIN_ROWS } from '../../src/engine/report-draft.js';
import { FileFinisher } from '../../src/engine/finish-file.js';
import { intakeFile } from '../../src/engine/intake-file.js';
import { silentLogger } from '../../src/log.js';
import { PLAIN_LAYOUT } from '../../src/report/report-layout.js';
import { toReportRow } from '../../src/report/report-row.js';
import { writeReportFiles } from '../../src/report/report-writer.js';
import { openDatabase } from '../../src/store/db.js';
import { reportSourceRows } from '../../src/store/report-queries.js';
import { Store } from '../../src/store/store.js';
import { validImeis } from '../e2e/harness.js';
import { readWorkbook, type WorkbookSheet } from '../report/workbook-rows.js';

const NOW = '2026-11-28T10:00:00.000Z';
const OPTIONS = { batchSize: 100, defaultServiceId: '1739', maxFileBytes: 52_428_800 };

describe('a report drafted during the last calls', () => {
  let dir: string;
  let store: Store;
  let finisher: FileFinisher;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-draft-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'db.sqlite'))));
    finisher = new FileFinisher(store, { inboxDir: join(dir, 'inbox'), processedDir: join(dir, 'processed'), simulated: false }, silentLogger(), {
      onReportWritten: () => undefined,
      onOutputFailed: (_fileId, error) => {
        throw new Error(error);
      },
    });
  });
  afterEach(async () => {
    finisher.close();
    await finisher.drain();
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A read file of valid, invalid and repeated rows; returns its id. */
  async function readFile_(rows: number): Promise<number> {
    const imeis = validImeis(rows, 11);
    const lines = imeis.map((imei, i) => (i % 97 === 96 ? 'garbage' : i % 50 === 49 ? (imeis[i - 7] as string) : imei));
    await writeFile(join(dir, 'inbox.csv'), `IMEI\n${lines.join('\n')}\n`);
    const entry = { absolutePath: join(dir, 'inbox.csv'), relativePath: 'day.csv', folderServiceId: null };
    const outcome = await intakeFile(store, entry, OPTIONS, silentLogger());
    return outcome.fileId;
  }

  /** Sends and answers every batch, extending the draft after each reply; `between` runs before the last three. */
  async function submitAll(fileId: number, between?: () => void | Promise<void>): Promise<void> {
    const batches = store.db.prepare(`SELECT id FROM batches WHERE file_id = ? ORDER BY id`).pluck().all(fileId) as number[];
    const tickets = batches.map((id) => store.batches.beginAttempt(id, NOW));
    for (const [index, ticket] of tickets.entries()) {
      if (!ticket) continue;
      if (index === tickets.length - 3) await between?.();
      const placed = ticket.imeis.map((imei, i) => ({ imei, orderId: `${ticket.batchId}-${i}`, status: 'Pending' as const }));
      store.batches.recordReply(ticket, { placed, duplicates: [], rejected: [] }, NOW);
      finisher.extendDraft(fileId);
      for (let turn = 0; turn < 20; turn += 1) await setImmediatePromise();
    }
  }

  /** The same file's report rendered whole from the store now: the CSV's bytes, the workbook's cells. */
  async function renderedWhole(fileId: number): Promise<{ csv: Buffer; workbook: WorkbookSheet[] }> {
    const target = { csv: join(dir, 'whole.csv'), workbook: join(dir, 'whole.xlsx') };
    await writeReportFiles(target, PLAIN_LAYOUT, (function* rows() {
      for (const row of reportSourceRows(store.db, fileId)) yield toReportRow(row);
    })());
    return { csv: await readFile(target.csv), workbook: await readWorkbook(target.workbook) };
  }

  it('is the whole report, byte for byte, with the summary counting it', async () => {
    const fileId = await readFile_(DRAFT_MIN_ROWS + 500);
    let drafts: string[] = [];
    await submitAll(fileId, async () => {
      drafts = (await readdir(join(dir, 'processed'))).filter((name) => name.endsWith('.draft'));
    });
    // Before the last replies, a draft held the rows settled so far: the CSV and the workbook.
    expect(drafts).toHaveLength(2);
    await finisher.finish(fileId);
    const report = await readFile(join(dir, 'processed', 'day.report.csv'));
    const whole = await renderedWhole(fileId);
    expect(report.equals(whole.csv)).toBe(true);
    expect(await readWorkbook(join(dir, 'processed', 'day.report.xlsx'))).toEqual(whole.workbook);
    const summary = JSON.parse(await readFile(join(dir, 'processed', 'day.summary.json'), 'utf8')) as Record<string, number>;
    // 25 garbage lines; 50 repeats, of which one repeats a line that was garbage (so it is new).
    expect(summary).toMatchObject({ rows: 2500, invalid: 25, duplicates: 49, accepted: 2426 });
    // Nothing of the draft is left behind.
    expect((await readdir(join(dir, 'processed'))).sort()).toEqual(['day.report.csv', 'day.report.xlsx', 'day.summary.json']);
  });

  it('gives way to a whole render when a result arrives for a row already drafted', async () => {
    const fileId = await readFile_(DRAFT_MIN_ROWS + 500);
    await submitAll(fileId, () => {
      store.orders.recordResults(
        [{ orderId: '1-0', imei: validImeis(1, 11)[0] as string, packageTitle: 'x', status: 'Completed', code: 'Model: iPhone 12', requestedAt: '' }],
        NOW,
      );
    });
    await finisher.finish(fileId);
    const report = await readFile(join(dir, 'processed', 'day.report.csv'), 'utf8');
    expect(report.split('\r\n')[1]).toContain('Completed');
    expect(Buffer.from(report).equals((await renderedWhole(fileId)).csv)).toBe(true);
  });
});
