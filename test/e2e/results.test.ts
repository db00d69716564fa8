import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider, type ReceivedRequest } from '../provider/fake-provider.js';
import {
  makeWorkspace,
  providerAt,
  readReport,
  readSummary,
  runCli,
  startCli,
  useSimulatedWorkspace,
  validImeis,
  waitFor,
  type ReportRecord,
  type RunningCli,
  type Workspace,
} from './harness.js';

/**
 * The value of `key` inside a checker's CODE, read independently of the daemon's parser: from
 * `Key: ` up to the next ` - Word Word: ` or the end (values such as `AT&T - Locked Policy`
 * keep their inner ` - `, because `Locked Policy -` is not followed by a colon).
 */
function valueIn(code: string, key: string): string {
  const match = new RegExp(`(?:^| - )${key}: (.*?)(?= - [A-Z][A-Za-z0-9 ]*: |$)`).exec(code);
  return match?.[1] ?? '';
}

async function reportOnceAll(path: string, accept: (row: ReportRecord) => boolean): Promise<ReportRecord[]> {
  return waitFor(
    async () => {
      if (!existsSync(path)) return undefined;
      const rows = await readReport(path);
      return rows.length > 0 && rows.every(accept) ? rows : undefined;
    },
    `every row of ${path} to be final`,
    45_000,
  );
}

async function stop(daemon: RunningCli): Promise<void> {
  daemon.process.kill('SIGTERM');
  const exit = await daemon.exited;
  expect(exit.code, exit.stderr).toBe(0);
}

describe('results arrive and fill the report', () => {
  const env = useSimulatedWorkspace({ latencyMs: 10, completeAfterMs: 300 });

  it('polls until every row is Completed with MODEL, CARRIER, SIMLOCK, FMI and IMEI 2 from its CODE', async () => {
    const imeis = validImeis(300, 41);
    await writeFile(join(env.ws.inbox, 'orders.csv'), `IMEI\n${imeis.join('\n')}\n`);
    await env.ws.writeConfig({ ...providerAt(env.sim.url), results: { pollIntervalSeconds: 1 } });
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    try {
      const report = await reportOnceAll(join(env.ws.processed, 'orders.report.csv'), (row) => row.STATUS === 'Completed');
      expect(report.map((row) => row['IMEI NO.'])).toEqual(imeis);
      const orderIds = new Map(env.sim.orders().map((order) => [order.imei, order]));
      for (const row of report) {
        const code = row.CODE as string;
        const order = orderIds.get(row['IMEI NO.'] as string);
        expect(code).toBe(order?.code);
        expect(row['ORDER ID']).toBe(order?.orderId);
        expect(row['ORDER DATE']).toBe(order?.requestedAt);
        expect(row.MODEL).toBe(valueIn(code, 'Model'));
        expect(row.CARRIER).toBe(valueIn(code, 'Carrier'));
        expect(row.SIMLOCK).toBe(valueIn(code, 'SimLock'));
        expect(row.FMI).toBe(valueIn(code, 'Find My iPhone'));
        expect(row['IMEI 2']).toBe(valueIn(code, 'IMEI2 Number'));
        expect(row.MODEL).not.toBe('');
        expect(row.CREDITS).toBe('$0.08');
      }
      // The odd carriers of the simulator are among them: values with ` - ` inside.
      expect(report.some((row) => (row.CARRIER as string).includes(' - '))).toBe(true);

      const summary = await waitFor(async () => {
        const s = await readSummary(join(env.ws.processed, 'orders.summary.json'));
        return s.final === true ? s : undefined;
      }, 'the summary to say final');
      expect(summary).toMatchObject({ rows: 300, accepted: 300, final: true, simulated: false });

      const one = report[123] as ReportRecord;
      const history = await runCli(['history', one['IMEI NO.'] as string, '--config', env.ws.configFile]);
      expect(history.code, history.stderr).toBe(0);
      expect(history.stdout).toContain(`order ${one['ORDER ID']}`);
      expect(history.stdout).toContain('Completed');
      expect(history.stdout).toContain(`MODEL: ${one.MODEL}; CARRIER: ${one.CARRIER}`);
      expect(history.stdout).toContain('orders.csv row 125');

      const asJson = await runCli(['history', one['IMEI NO.'] as string, '--json', '--config', env.ws.configFile]);
      expect(JSON.parse(asJson.stdout)).toEqual([
        expect.objectContaining({
          orderId: one['ORDER ID'],
          status: 'Completed',
          file: 'orders.csv',
          row: 125,
          code: one.CODE,
          result: expect.objectContaining({ model: one.MODEL, carrier: one.CARRIER, fmi: one.FMI }),
        }),
      ]);

      const unknown = await runCli(['history', '353370080089458', '--config', env.ws.configFile]);
      expect(unknown.code).toBe(0);
      expect(unknown.stdout.trim()).toBe('No order known for 353370080089458.');
    } finally {
      await stop(daemon);
    }
  });
});

/** XML text with the three characters that matter escaped. */
function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A provider that takes every order and answers with results the simulator never produces:
 * a formula as CODE, a rejection, and a carrier that starts with `+`.
 */
function stubProvider(results: ReadonlyMap<string, { status: string; code: string }>) {
  const orders = new Map<string, string>();
  let nextId = 9_000_001;
  return (request: ReceivedRequest, response: import('node:http').ServerResponse): void => {
    const action = request.form.get('action');
    let body = '<error>Invalid Action!</error>';
    if (action === 'imeiservices') {
      body =
        '<Packages><Package><PackageId>1739</PackageId><Category>Checks</Category><PackageTitle>Stub Check</PackageTitle>' +
        '<PackagePrice>0.10</PackagePrice><TimeTaken>1 Minute</TimeTaken><MustRead></MustRead></Package></Packages>';
    } else if (action === 'placeorder') {
      const placed = (request.form.get('imei') ?? '').split(',').map((imei) => {
        const id = String(nextId++);
        orders.set(id, imei);
        return `<imeis><id>${id}</id><imei>${imei}</imei><status>Pending</status></imeis>`;
      });
      body = `<result>${placed.join('')}</result>`;
    } else if (action === 'getimeis') {
      const found = (request.form.get('orderIds') ?? '').split(',').flatMap((id) => {
        const imei = orders.get(id);
        const result = imei === undefined ? undefined : results.get(imei);
        if (imei === undefined || result === undefined) return [];
        return [
          `<imeis><id>${id}</id><imei>${imei}</imei><package>Stub Check</package><status>${result.status}</status>` +
            `<code>${xmlText(result.code)}</code><requestedat>2026-03-01 10:00:05</requestedat></imeis>`,
        ];
      });
      body = `<result>${found.join('')}</result>`;
    }
    response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    response.end(`<?phpxml version="1.0" encoding="utf-8"?>${body}`);
  };
}

describe('results the simulator never gives', () => {
  let ws: Workspace;
  let provider: FakeProvider;

  beforeEach(async () => {
    ws = await makeWorkspace();
  });
  afterEach(async () => {
    await provider.close();
    await ws.cleanup();
  });

  it('writes a formula CODE as text, a Rejected row with its reason, and names the earlier order of a repeat', async () => {
    const [formula, rejected, plus] = validImeis(3, 42) as [string, string, string];
    const results = new Map([
      [formula, { status: 'Completed', code: '=HYPERLINK("http://x","y")' }],
      [rejected, { status: 'Rejected', code: 'Invalid_IMEI' }],
      [plus, { status: '2', code: 'Model: iPhone 8 - Carrier: +Mobile - SimLock: Unlocked - Find My iPhone: OFF' }],
    ]);
    provider = await startFakeProvider(stubProvider(results));
    await writeFile(join(ws.inbox, 'first.csv'), `IMEI\n${formula}\n${rejected}\n${plus}\n`);
    await ws.writeConfig({ ...providerAt(provider.baseUrl), results: { pollIntervalSeconds: 1 } });
    const daemon = startCli(['start', '--config', ws.configFile]);
    try {
      const reportPath = join(ws.processed, 'first.report.csv');
      const report = await reportOnceAll(reportPath, (row) => ['Completed', 'Rejected'].includes(row.STATUS as string));
      expect(report[0]).toMatchObject({ STATUS: 'Completed', CODE: `'=HYPERLINK("http://x","y")`, SERVICE: 'Stub Check' });
      expect(report[1]).toMatchObject({
        STATUS: 'Rejected',
        CODE: 'Invalid_IMEI',
        NOTE: 'the provider rejected the order: the IMEI failed its check (Invalid_IMEI)',
        'ORDER DATE': '2026-03-01 10:00:05',
        'ORDER ID': '9000002',
      });
      expect(report[2]).toMatchObject({ STATUS: 'Completed', CARRIER: "'+Mobile", MODEL: 'iPhone 8', FMI: 'OFF' });
      const raw = await readFile(reportPath, 'utf8');
      expect(raw).not.toMatch(/(^|,)=HYPERLINK/m);

      // A later file repeating an IMEI is not sent again; its NOTE names the order and its result.
      const calls = provider.requests.filter((r) => r.form.get('action') === 'placeorder').length;
      await writeFile(join(ws.inbox, 'again.csv'), `IMEI\n${plus}\n`);
      const again = await reportOnceAll(join(ws.processed, 'again.report.csv'), () => true);
      expect(again[0]).toMatchObject({
        STATUS: 'Duplicate',
        NOTE: 'already sent: order 9000003 from first.csv, row 4: Completed',
        MODEL: 'iPhone 8',
      });
      expect(provider.requests.filter((r) => r.form.get('action') === 'placeorder').length).toBe(calls);
    } finally {
      await stop(daemon);
    }
  });
});
