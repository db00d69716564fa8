import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TEST_API_KEY,
  makeWorkspace,
  providerAt,
  readReport,
  readLogs,
  readSummary,
  runCli,
  startCli,
  useSimulatedWorkspace,
  validImeis,
  waitForFile,
  type Workspace,
} from './harness.js';

describe('a dropped CSV, end to end', () => {
  const env = useSimulatedWorkspace({ latencyMs: 20 });

  it('orders exactly the valid IMEIs in batches of 100 and reports every row in input order', async () => {
    const valid = validImeis(1000, 1);
    const badCheckDigit = `${(valid[0] as string).slice(0, 14)}${(Number((valid[0] as string)[14]) + 1) % 10}`;
    const lines = ['IMEI', ...valid.slice(0, 500), badCheckDigit, '35337008008945', 'ABCDEFGHIJKLMNO', '3.5337E+14'];
    lines.push(valid[3] as string, ...valid.slice(500), valid[999] as string, valid[42] as string);
    const input = `${lines.join('\r\n')}\r\n`;
    await writeFile(join(env.ws.inbox, 'orders.csv'), input);
    await env.ws.writeConfig(providerAt(env.sim.url));

    const run = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(run.code, run.stderr).toBe(0);

    // Exactly the 1,000 valid IMEIs reached the provider, in 10 calls.
    expect(env.sim.stats().placeorderCalls).toBe(10);
    const orders = env.sim.orders();
    expect(orders.map((o) => o.imei).sort()).toEqual([...valid].sort());

    // The original moved byte for byte; the report has one row per input row, in input order.
    expect(existsSync(join(env.ws.inbox, 'orders.csv'))).toBe(false);
    expect(await readFile(join(env.ws.processed, 'orders.csv'), 'utf8')).toBe(input);
    const report = await readReport(join(env.ws.processed, 'orders.report.csv'));
    expect(report).toHaveLength(lines.length - 1);
    expect(report.map((r) => Number(r.ROW))).toEqual(lines.slice(1).map((_, i) => i + 2));

    const orderIdByImei = new Map(orders.map((o) => [o.imei, o.orderId]));
    const seen = new Set<string>();
    for (const row of report) {
      const imei = row['IMEI NO.'] as string;
      if (orderIdByImei.has(imei) && !seen.has(imei)) {
        seen.add(imei);
        expect(['Pending', 'In Process', 'Completed']).toContain(row.STATUS);
        expect(row['ORDER ID']).toBe(orderIdByImei.get(imei));
      } else if (orderIdByImei.has(imei)) {
        expect(row.STATUS).toBe('Duplicate');
        expect(row.NOTE).toMatch(/same IMEI as row \d+/);
      } else {
        expect(row.STATUS).toBe('Invalid');
        expect(row.NOTE).not.toBe('');
      }
    }
    const byRaw = new Map(report.map((r) => [r['IMEI NO.'], r]));
    expect(byRaw.get(badCheckDigit)?.NOTE).toMatch(/check digit/);
    expect(byRaw.get('35337008008945')?.NOTE).toMatch(/14 digits/);
    expect(byRaw.get('3.5337E+14')?.NOTE).toMatch(/scientific notation/);

    const summary = await readSummary(join(env.ws.processed, 'orders.summary.json'));
    expect(summary).toMatchObject({
      file: 'orders.csv',
      rows: 1007,
      accepted: 1000,
      duplicates: 3,
      invalid: 4,
      failed: 0,
      unconfirmed: 0,
      apiCalls: 10,
      simulated: false,
    });
    expect(summary.successRate).toBeCloseTo(1000 / 1007, 4);

    // No secret anywhere the daemon wrote.
    for (const text of [run.stdout, run.stderr, await readLogs(env.ws)]) {
      expect(text).not.toContain(TEST_API_KEY);
    }
    for (const name of await readdir(env.ws.processed)) {
      expect(await readFile(join(env.ws.processed, name), 'utf8')).not.toContain(TEST_API_KEY);
    }
  });

  it('orders a file in a service subfolder under that service and never overwrites processed names', async () => {
    const imeis = validImeis(3, 2);
    await mkdir(env.ws.processed);
    await writeFile(join(env.ws.processed, 'orders.csv'), 'an older file\n');
    await writeFile(join(env.ws.inbox, 'orders.csv'), `${imeis[0]}\n`);
    await mkdir(join(env.ws.inbox, '269'));
    await writeFile(join(env.ws.inbox, '269', 'samsung.csv'), `imei\n${imeis[1]}\n${imeis[2]}\n`);
    await env.ws.writeConfig(providerAt(env.sim.url));

    const run = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(run.code, run.stderr).toBe(0);

    expect(await readFile(join(env.ws.processed, 'orders.csv'), 'utf8')).toBe('an older file\n');
    expect(existsSync(join(env.ws.processed, 'orders-2.csv'))).toBe(true);
    expect(existsSync(join(env.ws.processed, 'orders-2.report.csv'))).toBe(true);
    expect(existsSync(join(env.ws.processed, '269', 'samsung.report.csv'))).toBe(true);
    const services = new Map(env.sim.orders().map((o) => [o.imei, o.serviceId]));
    expect(services.get(imeis[0] as string)).toBe('1739');
    expect(services.get(imeis[1] as string)).toBe('269');
  });

  it('runs against the built-in simulator when no API key is configured, and says so', async () => {
    await env.ws.writeConfig({ simulator: { latencyMs: 5 } });
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    try {
      await writeFile(join(env.ws.inbox, 'drop.csv'), `imei\n${validImeis(5, 3).join('\n')}\n`);
      await waitForFile(join(env.ws.processed, 'drop.summary.json'));
      const summary = await readSummary(join(env.ws.processed, 'drop.summary.json'));
      expect(summary).toMatchObject({ simulated: true, accepted: 5, rows: 5 });
      expect(daemon.output()).toMatch(/SIMULATED/);
    } finally {
      daemon.process.kill('SIGTERM');
    }
    const exit = await daemon.exited;
    expect(exit.code).toBe(0);
    // The built-in simulator is in-process: this test's simulator saw nothing.
    expect(env.sim.stats().placeorderCalls).toBe(0);
  });
});

describe('the command line', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await makeWorkspace();
  });
  afterEach(async () => ws.cleanup());

  it('refuses a bad config value with exit 2 and one line naming the key', async () => {
    await ws.writeConfig({ submission: { batchSize: 'many' } });
    const run = await runCli(['run-once', '--config', ws.configFile]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('submission.batchSize');
  });

  it('refuses an unknown config key with exit 2', async () => {
    await ws.writeConfig({ submission: { batchSise: 50 } });
    const run = await runCli(['status', '--config', ws.configFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('submission.batchSise: unknown key');
  });

  it('refuses a plain-http provider URL off the loopback address', async () => {
    await ws.writeConfig({ provider: { baseUrl: 'http://example.com', apiKey: TEST_API_KEY } });
    const run = await runCli(['run-once', '--config', ws.configFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('provider.baseUrl');
    expect(run.stderr).not.toContain(TEST_API_KEY);
  });

  it('answers an unknown command with exit 2', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
