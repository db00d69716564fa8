/**
 * Issue 14, points 1 and 4: an Excel workbook is read as it is (an IMEI held as a number keeps
 * its 15 digits), every other kind of file is refused with what to do instead of sitting in the
 * inbox, and the report comes as a workbook too, with the input's other columns after ours.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../../src/report/columns.js';
import { readWorkbook } from '../report/workbook-rows.js';
import { providerAt, readReport, readSummary, runCli, useSimulatedWorkspace, validImeis } from './harness.js';

async function writeWorkbook(path: string, sheets: Record<string, unknown[][]>): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = workbook.addWorksheet(name);
    for (const row of rows) sheet.addRow(row);
  }
  await workbook.xlsx.writeFile(path);
}

describe('workbooks and other files dropped in the inbox', () => {
  const env = useSimulatedWorkspace({ latencyMs: 5 });

  it('orders a workbook\'s IMEIs, numbers included, digit for digit, and reports them as text with the input\'s columns', async () => {
    const [asNumber, asText, other] = validImeis(3, 61) as [string, string, string];
    await writeWorkbook(join(env.ws.inbox, 'march.xlsx'), {
      Orders: [
        ['Customer', 'IMEI', 'Model', 'Service'],
        ['ACME Ltd', Number(asNumber), 'iPhone 12', 1739],
        ['Bob', asText, 'Galaxy S21', ''],
        ['Carl', { formula: `"${other}"`, result: other }, 'Pixel 7', 269],
        // What a CSV round trip through Excel leaves: digits lost for good.
        ['Dora', 3.53979e14, 'damaged', ''],
      ],
      Notes: [['not read: only the first sheet with data is']],
    });
    await env.ws.writeConfig(providerAt(env.sim.url));

    const run = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(run.code, run.stderr).toBe(0);

    // Every digit reached the provider; the service column was honoured.
    const ordered = env.sim.orders().map((order) => `${order.serviceId}:${order.imei}`).sort();
    expect(ordered).toEqual([`1739:${asNumber}`, `1739:${asText}`, `269:${other}`].sort());

    const csv = await readReport(join(env.ws.processed, 'march.report.csv'));
    expect(csv.map((row) => [row['IMEI NO.'], row.STATUS, row.ROW, row.Customer, row['Model (input)'], row['Service (input)']])).toEqual([
      [asNumber, 'Pending', '2', 'ACME Ltd', 'iPhone 12', '1739'],
      [asText, 'Pending', '3', 'Bob', 'Galaxy S21', ''],
      [other, 'Pending', '4', 'Carl', 'Pixel 7', '269'],
      ['353979000000000', 'Invalid', '5', 'Dora', 'damaged', ''],
    ]);

    // The workbook beside it: our columns, then the input's (renamed where a heading of ours has the
    // name); IMEIs as text, formatted as text.
    const [sheet] = await readWorkbook(join(env.ws.processed, 'march.report.xlsx'));
    expect(sheet?.rows[0]).toEqual([...REPORT_COLUMNS, 'Customer', 'Model (input)', 'Service (input)']);
    const imeiColumn = REPORT_COLUMNS.indexOf('IMEI NO.');
    expect(sheet?.rows.slice(1).map((row) => row[imeiColumn])).toEqual([asNumber, asText, other, '353979000000000']);
    expect(sheet?.formats[1]?.[imeiColumn]).toBe('@');
    expect(sheet?.rows[1]?.[REPORT_COLUMNS.indexOf('ROW')]).toBe(2);
    expect(await readSummary(join(env.ws.processed, 'march.summary.json'))).toMatchObject({
      rows: 4,
      accepted: 3,
      invalid: 1,
      reportWorkbook: 'march.report.xlsx',
    });
  });

  it('refuses what it does not read, moving it with a summary that says what to do', async () => {
    const imeis = validImeis(2, 62);
    await writeFile(join(env.ws.inbox, 'sheet.ods'), 'PK\x03\x04\x14\x00\x00\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet');
    await writeFile(join(env.ws.inbox, 'old.xls'), Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
    await writeFile(join(env.ws.inbox, 'prices.numbers'), 'PK\x03\x04 Index/Document.iwa');
    await writeFile(join(env.ws.inbox, 'notes.pdf'), '%PDF-1.4');
    await mkdir(join(env.ws.inbox, 'march', 'week1'), { recursive: true });
    await writeFile(join(env.ws.inbox, 'march', 'week1', 'deep.csv'), `imei\n${imeis.join('\n')}\n`);
    // Office's lock file of an open workbook is not a file to refuse: it is left alone.
    await writeFile(join(env.ws.inbox, '~$sheet.xlsx'), 'lock');
    await env.ws.writeConfig(providerAt(env.sim.url));

    const run = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(run.code, run.stderr).toBe(0);

    const refused: [string, string, RegExp][] = [
      ['sheet.ods', 'sheet', /OpenDocument spreadsheet/],
      ['old.xls', 'old', /old Excel \.xls workbook/],
      ['prices.numbers', 'prices', /Apple Numbers/],
      ['notes.pdf', 'notes', /only \.csv, \.txt and \.xlsx files/],
      ['march/week1/deep.csv', 'march/week1/deep', /2 subfolders deep.*move it up/],
    ];
    for (const [name, stem, why] of refused) {
      const summary = await readSummary(join(env.ws.processed, `${stem}.summary.json`));
      expect(summary.error, name).toMatch(why);
      if (!/deep/.test(name)) expect(summary.error, name).toMatch(/save it as CSV or XLSX/);
      expect(existsSync(join(env.ws.inbox, name)), name).toBe(false);
      expect(existsSync(join(env.ws.processed, name)), name).toBe(true);
    }
    expect(existsSync(join(env.ws.inbox, '~$sheet.xlsx'))).toBe(true);
    expect(env.sim.orders()).toHaveLength(0);

    // `status` lists them with the reason.
    const status = await runCli(['status', '--config', env.ws.configFile]);
    expect(status.stdout).toMatch(/sheet\.ods: refused: the file is an OpenDocument spreadsheet/);
  });
});
