/**
 * The daemon's workbook thread (the built worker under dist/): the workbook it writes is the one
 * written on the calling thread, cell for cell; a thread that dies fails its workbooks, which are
 * then abandoned cleanly, and the next workbook gets a new thread.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inThreadWorkbooks, type WorkbookLayout, type WorkbookSinks } from '../../src/report/workbook-sink.js';
import { WorkbookThread } from '../../src/report/workbook-thread.js';
import { readWorkbook } from './workbook-rows.js';

const BUILT_WORKER = new URL('../../dist/report/workbook-worker.js', import.meta.url);
const DIES_ONCE = new URL('../fixtures/threads/dies-once.mjs', import.meta.url);

const LAYOUT: WorkbookLayout = { columns: ['IMEI', 'NOTE', 'ROW'], numberColumns: [2], textColumns: [0], sheetName: 'Report', widths: [[0, 17]] };
const ROWS = Array.from({ length: 2345 }, (_, i) => [String(353979106673567 + i), i % 7 === 0 ? `a & <b> ${i}` : '', String(i + 2)]);

async function write(sinks: WorkbookSinks, path: string): Promise<void> {
  const book = await sinks.open(path, LAYOUT);
  for (const row of ROWS) {
    const full = book.addRow(row);
    if (full) await full;
  }
  await book.finish();
}

describe('the workbook thread', () => {
  let dir: string;
  let thread: WorkbookThread | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-workbook-thread-'));
  });
  afterEach(async () => {
    await thread?.close();
    thread = undefined;
    delete process.env.IMEI_TEST_MARKER;
    delete process.env.IMEI_TEST_THREAD;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the workbook the calling thread writes, two at once', async () => {
    thread = new WorkbookThread({ workerUrl: BUILT_WORKER });
    await Promise.all([write(thread, join(dir, 'a.xlsx')), write(thread, join(dir, 'b.xlsx'))]);
    await write(inThreadWorkbooks, join(dir, 'here.xlsx'));
    const expected = await readWorkbook(join(dir, 'here.xlsx'));
    expect(await readWorkbook(join(dir, 'a.xlsx'))).toEqual(expected);
    expect(await readWorkbook(join(dir, 'b.xlsx'))).toEqual(expected);
  });

  it('fails the workbooks of a thread that dies; they are abandoned cleanly and the next one works', async () => {
    process.env.IMEI_TEST_MARKER = join(dir, 'died');
    process.env.IMEI_TEST_THREAD = 'report/workbook-worker.js';
    thread = new WorkbookThread({ workerUrl: DIES_ONCE });
    const doomed = write(thread, join(dir, 'doomed.xlsx'));
    await expect(doomed).rejects.toThrow(/the workbook thread stopped/);
    expect(existsSync(join(dir, 'died'))).toBe(true);
    await write(thread, join(dir, 'next.xlsx'));
    expect((await readWorkbook(join(dir, 'next.xlsx')))[0]?.rows).toHaveLength(ROWS.length + 1);
  });

  it('reports a workbook it cannot create, and abandons it without waiting', async () => {
    thread = new WorkbookThread({ workerUrl: BUILT_WORKER });
    const book = await thread.open(join(dir, 'no-such-folder', 'x.xlsx'), LAYOUT);
    await expect(book.finish()).rejects.toThrow(/cannot write the report workbook: ENOENT/);
    await book.abandon();
  });
});
