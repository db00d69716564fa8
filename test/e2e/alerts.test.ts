import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmtp, type TestSmtp } from '../alerts/helpers.js';
import {
  TEST_API_KEY,
  providerAt,
  readReport,
  startCli,
  useSimulatedWorkspace,
  validImeis,
  waitFor,
  waitForFile,
} from './harness.js';

const SMTP_PASSWORD = 'smtp-Secret-Passw0rd';

async function allOrdered(path: string): Promise<boolean> {
  const ordered = new Set(['Pending', 'In Process', 'Completed']);
  return (await readReport(path)).every((row) => ordered.has(row.STATUS as string));
}

describe('alerts, end to end', () => {
  const env = useSimulatedWorkspace({ latencyMs: 5 });
  let smtp: TestSmtp;

  beforeEach(async () => {
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await smtp.close();
  });

  it('mails once when the provider is down, groups the next file, and mails the recovery after the retry', async () => {
    await env.sim.setDown(true);
    await env.ws.writeConfig({
      ...providerAt(env.sim.url, 2000),
      submission: { maxAttempts: 2, retryBaseMs: 10 },
      retry: { schedule: '*/2 * * * * *' },
      alerts: {
        to: ['ops@example.com'],
        from: 'imei-daemon@example.com',
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'mailer', pass: SMTP_PASSWORD },
        minIntervalMinutes: 0.2,
      },
    });
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(env.ws.inbox, 'monday.csv'), `imei\n${validImeis(50, 40).join('\n')}\n`);
      await waitForFile(join(env.ws.processed, 'monday.report.csv'));
      expect((await readReport(join(env.ws.processed, 'monday.report.csv'))).every((r) => r.STATUS === 'Failed')).toBe(true);
      await waitFor(() => smtp.mails.length >= 1, 'the first alert mail', 20_000);
      expect(smtp.mails[0]?.text).toContain('monday.csv');

      // A second failing file inside the interval: no second mail yet.
      await writeFile(join(env.ws.inbox, 'tuesday.csv'), `imei\n${validImeis(30, 41).join('\n')}\n`);
      await waitForFile(join(env.ws.processed, 'tuesday.report.csv'));
      expect(smtp.mails).toHaveLength(1);

      await env.sim.setDown(false);
      await waitFor(async () => allOrdered(join(env.ws.processed, 'monday.report.csv')), 'monday ordered', 30_000);
      await waitFor(async () => allOrdered(join(env.ws.processed, 'tuesday.report.csv')), 'tuesday ordered', 30_000);
      await waitFor(() => smtp.mails.some((mail) => /recovered/i.test(mail.subject)), 'the recovery mail', 40_000);
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);

    // Every failed row ordered exactly once.
    const imeis = env.sim.orders().map((order) => order.imei);
    expect(imeis).toHaveLength(80);
    expect(new Set(imeis).size).toBe(80);
    // The second file reached a mail (grouped), and no mail carries a secret.
    expect(smtp.mails.some((mail) => mail.text.includes('tuesday.csv'))).toBe(true);
    for (const mail of smtp.mails) {
      expect(mail.raw).not.toContain(SMTP_PASSWORD);
      expect(mail.raw).not.toContain(TEST_API_KEY);
    }
  }, 120_000);
});
