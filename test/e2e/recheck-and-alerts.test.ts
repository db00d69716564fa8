/**
 * Issue 14, points 3 and 8: alerts are judged on the rows the daemon was asked to order (a file
 * of phones already checked is not a failure), and a phone can be ordered again on purpose by
 * dropping its file in inbox/recheck/, never by dropping it elsewhere.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmtp, type TestSmtp } from '../alerts/helpers.js';
import { providerAt, readReport, readSummary, runCli, useSimulatedWorkspace, validImeis } from './harness.js';

describe('ordering again on purpose, and alerts on what was to be ordered', () => {
  const env = useSimulatedWorkspace({ latencyMs: 5 });
  let smtp: TestSmtp;

  beforeEach(async () => {
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await smtp.close();
  });

  async function runOnce(files: Record<string, string>): Promise<void> {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(env.ws.inbox, name, '..'), { recursive: true });
      await writeFile(join(env.ws.inbox, name), text);
    }
    const run = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(run.code, run.stderr).toBe(0);
  }

  it('answers a known phone from history, asks the provider again only from recheck/, and alerts on none of it', async () => {
    await env.ws.writeConfig({
      ...providerAt(env.sim.url),
      submission: { maxAttempts: 1, retryBaseMs: 10 },
      alerts: { to: ['ops@example.com'], from: 'd@example.com', smtp: { host: '127.0.0.1', port: smtp.port }, minIntervalMinutes: 0 },
    });
    const known = validImeis(10, 71);
    const [fresh] = validImeis(1, 72) as [string];
    await runOnce({ 'monday.csv': `IMEI\n${known.join('\n')}\n` });
    expect(env.sim.orders()).toHaveLength(10);
    const received = env.sim.stats().imeisReceived;

    // Dropped again by mistake: answered from history, nothing sent. Then one on purpose.
    await runOnce({
      'again.csv': `IMEI\n${known.join('\n')}\n`,
      'mixed.csv': `IMEI\n${known[0]}\n${fresh}\n`,
      'recheck/phone.csv': `IMEI\n${known[1]}\n`,
      'recheck/269/phone.csv': `IMEI\n${known[2]}\n`,
    });
    expect(env.sim.stats().imeisReceived - received).toBe(3); // fresh, and the two re-checks
    expect((await readReport(join(env.ws.processed, 'again.report.csv'))).every((row) => row.STATUS === 'Duplicate')).toBe(true);
    expect(await readSummary(join(env.ws.processed, 'again.summary.json'))).toMatchObject({ successRate: 0, orderSuccessRate: 1 });
    expect(await readSummary(join(env.ws.processed, 'mixed.summary.json'))).toMatchObject({ successRate: 0.5, orderSuccessRate: 1 });

    // GSM Fusion refuses a repeat on the same service: not charged, and the NOTE says so.
    const [refused] = await readReport(join(env.ws.processed, 'recheck', 'phone.report.csv'));
    expect(refused).toMatchObject({ STATUS: 'Duplicate', 'IMEI NO.': known[1] });
    expect(refused?.NOTE).toMatch(/^re-check: asked to order again; the provider already holds an order .* not charged/);
    expect(await readSummary(join(env.ws.processed, 'recheck', 'phone.summary.json'))).toMatchObject({ recheck: true, orderSuccessRate: 1 });
    // On another service it is a new order.
    const [onOther] = await readReport(join(env.ws.processed, 'recheck', '269', 'phone.report.csv'));
    expect(onOther?.STATUS).toBe('Pending');
    expect(env.sim.orders().filter((order) => order.imei === known[2]).map((order) => order.serviceId).sort()).toEqual(['1739', '269']);
    expect(smtp.mails).toHaveLength(0);

    // A file that really fails still alerts, alone.
    await env.sim.setDown(true);
    await runOnce({ 'tuesday.csv': `IMEI\n${validImeis(5, 73).join('\n')}\n` });
    expect(smtp.mails.length).toBeGreaterThan(0);
    const mailed = smtp.mails.map((mail) => mail.text).join('\n');
    expect(mailed).toContain('tuesday.csv');
    expect(mailed).not.toMatch(/again\.csv|mixed\.csv|phone\.csv/);
  });
});
