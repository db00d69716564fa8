import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { startSmtp, type TestSmtp } from '../alerts/helpers.js';
import { dhruProviderAt, ordersPerImei, startDhruSimulator } from './dhru-harness.js';
import {
  TEST_API_KEY,
  makeWorkspace,
  readReport,
  readSummary,
  runCli,
  startCli,
  validImeis,
  waitFor,
  waitForFile,
  type Workspace,
} from './harness.js';

/** `status --json`, as a script would read it. */
async function status(ws: Workspace): Promise<Record<string, unknown>> {
  const result = await runCli(['status', '--json', '--config', ws.configFile]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('DHRU money: account-level refusals stop ordering with an alert, never a Failed row', () => {
  let ws: Workspace;
  let sim: Simulator;
  let smtp: TestSmtp;

  beforeEach(async () => {
    ws = await makeWorkspace();
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await sim.close();
    await smtp.close();
    await ws.cleanup();
  });

  function alerting(): Record<string, unknown> {
    return {
      to: ['ops@example.com'],
      from: 'imei-daemon@example.com',
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: '', pass: '' },
      minIntervalMinutes: 0,
    };
  }

  it('bad credentials: nothing ordered, an alert mail, the daemon keeps running, rows wait', async () => {
    sim = await startDhruSimulator({ latencyMs: 5 });
    const config = dhruProviderAt(sim.url, 2000) as { provider: Record<string, unknown> };
    await ws.writeConfig({ provider: { ...config.provider, apiKey: 'WRONG-KEY-0000-0000' }, alerts: alerting() });
    const daemon = startCli(['start', '--config', ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(ws.inbox, 'refused.csv'), `IMEI\n${validImeis(50, 63).join('\n')}\n`);
      await waitFor(() => smtp.mails.length > 0, 'the alert mail', 20_000);
      expect(smtp.mails[0]?.subject).toMatch(/refused the credentials/);
      await waitFor(async () => ((await status(ws)).rowsByStoreState as Record<string, number>)['queued'] === 50, 'rows stored');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(daemon.process.exitCode).toBeNull();
      const rows = (await status(ws)).rowsByStoreState as Record<string, number>;
      expect(rows).toEqual({ queued: 50 });
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
    expect(sim.orders()).toEqual([]);
    expect(sim.stats().placeorderCalls).toBe(0);
    for (const mail of smtp.mails) expect(mail.raw).not.toContain('WRONG-KEY-0000-0000');
  }, 40_000);

  it('a balance too low for the file: nothing ordered, an alert mail, rows wait; once the balance is raised the file completes', async () => {
    // 50 rows of service 1739 at 0.08 cost 4.00.
    sim = await startDhruSimulator({ latencyMs: 5, credit: 1 });
    await ws.writeConfig({
      ...dhruProviderAt(sim.url, 2000),
      alerts: alerting(),
      retry: { schedule: '* * * * * *' },
      results: { pollIntervalSeconds: 0.2 },
    });
    const imeis = validImeis(50, 64);
    const daemon = startCli(['start', '--config', ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(ws.inbox, 'short.csv'), `IMEI\n${imeis.join('\n')}\n`);
      await waitFor(() => smtp.mails.length > 0, 'the alert mail', 20_000);
      expect(smtp.mails[0]?.subject).toMatch(/not enough credit/);
      expect(smtp.mails[0]?.text).toContain('short.csv');
      const held = await status(ws);
      expect(held.rowsByStoreState).toEqual({ queued: 50 });
      expect((held.balance as { creditText: string }).creditText).toBe('1.00');
      expect(held.waitingForCredit).toEqual([{ file: 'short.csv', reason: expect.stringContaining('4.00') as unknown }]);
      expect(daemon.process.exitCode).toBeNull();
      expect(sim.stats().placeorderCalls).toBe(0);

      sim.setCredit(1000);
      const summaryPath = join(ws.processed, 'short.summary.json');
      await waitForFile(summaryPath, 20_000);
      await waitFor(async () => (await readSummary(summaryPath)).final === true, 'short.csv final', 20_000);
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
    const report = await readReport(join(ws.processed, 'short.report.csv'));
    expect(report.map((row) => row.STATUS)).toEqual(imeis.map(() => 'Completed'));
    expect([...ordersPerImei(sim).values()]).toEqual(imeis.map(() => 1));
    expect(sim.stats().refusedNoCredit).toBe(0);
    expect(sim.credit()).toBeCloseTo(1000 - 50 * 0.08);
    for (const mail of smtp.mails) expect(mail.raw).not.toContain(TEST_API_KEY);
  }, 60_000);
});
