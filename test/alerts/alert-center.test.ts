import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertCenter } from '../../src/alerts/index.js';
import type { Store } from '../../src/store/store.js';
import {
  centreOptions,
  eventually,
  fileOutcome,
  ManualClock,
  openCentre,
  startSmtp,
  tempDatabase,
  type TempDatabase,
  type TestSmtp,
} from './helpers.js';

let smtp: TestSmtp;
let db: TempDatabase;
let store: Store;
let clock: ManualClock;
const centres: AlertCenter[] = [];

function centre(overrides: Parameters<typeof centreOptions>[2] = {}): AlertCenter {
  const created = openCentre(store, centreOptions(smtp.port, clock, overrides));
  centres.push(created);
  return created;
}

beforeEach(async () => {
  smtp = await startSmtp();
  db = tempDatabase();
  store = db.open();
  clock = new ManualClock();
});

afterEach(async () => {
  for (const c of centres.splice(0)) await c.close();
  store.close();
  await smtp.close();
  db.remove();
});

describe('grouping and the interval', () => {
  it('mails the first failing file at once and groups the next into the mail after the interval', async () => {
    const alerts = centre();
    alerts.fileSubmitted(fileOutcome('orders.csv', 0.5));
    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.subject).toBe('imei-daemon: orders.csv below 80% success (50%)');
    expect(smtp.mails[0]?.to).toEqual(['ops@example.com']);

    clock.advanceMinutes(10);
    alerts.fileSubmitted(fileOutcome('later.csv', 0.2));
    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(1);

    clock.advanceMinutes(50);
    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(2);
    const second = smtp.mails[1];
    expect(second?.text).toContain('later.csv');
    expect(second?.text).not.toContain('orders.csv');
    expect(second?.html).toContain('<td style="border:1px solid #ccc;padding:4px 8px;text-align:left">later.csv</td>');

    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(2);
  });

  it('groups several files queued together under one subject', async () => {
    const alerts = centre();
    alerts.fileSubmitted(fileOutcome('a.csv', 0.1));
    alerts.fileSubmitted(fileOutcome('b.csv', 0.79));
    await alerts.flushNow();
    expect(smtp.mails.map((m) => m.subject)).toEqual(['imei-daemon: 2 files below 80% success']);
    expect(smtp.mails[0]?.text).toMatch(/a\.csv[\s\S]*b\.csv/);
  });

  it('sends on its own timer once started, and records the last alert for `status`', async () => {
    const alerts = centre({ checkEveryMs: 20 });
    alerts.start();
    alerts.fileSubmitted(fileOutcome('timed.csv', 0));
    await eventually(() => smtp.mails.length === 1);
    await alerts.close();
    expect(store.getMeta('lastAlertSentAt')).toBe(clock.now().toISOString());
    expect(store.getMeta('lastAlertSubject')).toBe(smtp.mails[0]?.subject);
    const mail = store.db.prepare('SELECT recipients, message_id AS messageId, sent_at AS sentAt FROM alert_mails').get();
    expect(mail).toEqual({ recipients: 'ops@example.com', messageId: smtp.mails[0]?.messageId, sentAt: clock.now().toISOString() });
  });

  it('does not alert for a file at or above the threshold, nor for one with no rows', async () => {
    const alerts = centre();
    alerts.fileSubmitted(fileOutcome('fine.csv', 0.8));
    alerts.fileSubmitted({ fileId: 99, file: 'empty.csv', rows: 0, accepted: 0, failed: 0, successRate: 0, topErrors: [] });
    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(0);
    expect(store.alerts.queuedCount()).toBe(0);
  });
});

describe('recovery', () => {
  it('mails one recovery after an alert, then none until the next alert', async () => {
    const alerts = centre();
    alerts.fileSubmitted(fileOutcome('bad.csv', 0.3));
    await alerts.flushNow();
    clock.advanceMinutes(61);
    alerts.fileSubmitted(fileOutcome('orders.csv', 0.992, 1000));
    alerts.fileSubmitted(fileOutcome('also-good.csv', 1));
    await alerts.flushNow();
    expect(smtp.mails.map((m) => m.subject)).toEqual([
      'imei-daemon: bad.csv below 80% success (30%)',
      'imei-daemon: recovered: orders.csv back at 99.2% success',
    ]);
    clock.advanceMinutes(61);
    alerts.fileSubmitted(fileOutcome('still-good.csv', 0.95));
    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(2);
  });
});

describe('restart', () => {
  it('never resends a mail that was sent, and sends what was queued before the restart', async () => {
    const first = centre();
    first.fileSubmitted(fileOutcome('one.csv', 0.1));
    await first.flushNow();
    first.fileSubmitted(fileOutcome('two.csv', 0.1));
    await first.close();
    store.close();

    store = db.open();
    const second = centre();
    await second.flushNow();
    expect(smtp.mails).toHaveLength(1);
    clock.advanceMinutes(60);
    await second.flushNow();
    await second.flushNow();
    expect(smtp.mails.map((m) => m.subject)).toEqual([
      'imei-daemon: one.csv below 80% success (10%)',
      'imei-daemon: two.csv below 80% success (10%)',
    ]);
  });

  it('resends a mail cut off by a crash unchanged, under its Message-ID, and mails later alerts apart', async () => {
    const first = centre();
    first.fileSubmitted(fileOutcome('cut.csv', 0.1));
    // A crash between "attempt recorded" and "outcome recorded": the mail may have arrived.
    const prepared = store.alerts.prepareMail(clock.now().toISOString(), () => '<crashed@imei-daemon>');
    store.alerts.beginAttempt(prepared?.mail.id ?? 0, 'whatever', 'ops@example.com', clock.now().toISOString());
    store.close();

    store = db.open();
    const second = centre();
    second.fileSubmitted(fileOutcome('after.csv', 0.1));
    await second.flushNow();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.messageId).toBe('<crashed@imei-daemon>');
    expect(smtp.mails[0]?.text).toContain('cut.csv');
    expect(smtp.mails[0]?.text).not.toContain('after.csv');

    clock.advanceMinutes(60);
    await second.flushNow();
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]?.text).toContain('after.csv');
    expect(smtp.mails[1]?.messageId).not.toBe('<crashed@imei-daemon>');
  });

  it('remembers a standing condition across a restart', async () => {
    const first = centre();
    first.providerRefusedCredentials('Invalid API key');
    await first.flushNow();
    await first.close();
    store.close();

    store = db.open();
    clock.advanceMinutes(120);
    const second = centre();
    second.providerRefusedCredentials('Invalid API key');
    await second.flushNow();
    expect(smtp.mails).toHaveLength(1);
  });
});

describe('provider conditions', () => {
  it('folds the low-success files of a credentials failure into one mail', async () => {
    const alerts = centre();
    alerts.providerRefusedCredentials('Authentication failed: invalid API key');
    alerts.providerRefusedCredentials('Authentication failed: invalid API key');
    alerts.fileSubmitted(fileOutcome('a.csv', 0, 50, ['Authentication failed: invalid API key']));
    alerts.fileSubmitted(fileOutcome('b.csv', 0, 70));
    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail?.subject).toBe('imei-daemon: provider refused the credentials (2 files affected)');
    expect(mail?.text).toContain('a.csv');
    expect(mail?.text).toContain('b.csv');
    expect(mail?.text).toContain('GSMFUSION_API_KEY');
    expect(mail?.text).not.toContain('below 80%');
  });

  it('mails an unreachable provider once while it stands, and again after it cleared and failed anew', async () => {
    const alerts = centre();
    alerts.providerUnreachable('connect ECONNREFUSED 10.0.0.1:443');
    alerts.fileSubmitted(fileOutcome('x.csv', 0));
    alerts.fileSubmitted(fileOutcome('y.csv', 0));
    alerts.fileSubmitted(fileOutcome('z.csv', 0.1));
    await alerts.flushNow();
    clock.advanceMinutes(61);
    alerts.providerUnreachable('still down');
    await alerts.flushNow();
    alerts.providerReachable();
    alerts.providerUnreachable('HTTP 502');
    clock.advanceMinutes(61);
    await alerts.flushNow();
    expect(smtp.mails.map((m) => m.subject)).toEqual([
      'imei-daemon: provider unreachable (3 files affected)',
      'imei-daemon: provider unreachable',
    ]);
    expect(smtp.mails[1]?.text).toContain('HTTP 502');
  });
});

describe('secrets and recipients', () => {
  it('puts no secret in any mail, even when an error message quotes them', async () => {
    const apiKey = 'K3Y-SECRET-API-1234';
    const pass = 'smtp-Pa55word!';
    const alerts = centre({ secrets: [apiKey], smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'mailer', pass } });
    alerts.providerRefusedCredentials(`bad key ${apiKey} for user tester`);
    alerts.fileSubmitted(fileOutcome(`<b>${apiKey}</b>.csv`, 0, 10, [`refused ${apiKey} and ${pass}`]));
    await alerts.flushNow();
    expect(smtp.logins).toEqual([{ user: 'mailer', pass }]);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    for (const text of [mail?.raw, mail?.subject, mail?.text, mail?.html]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(pass);
    }
    expect(mail?.text).toContain('[redacted]');
    expect(mail?.html).toContain('&lt;b&gt;[redacted]&lt;/b&gt;.csv');
    const stored = JSON.stringify(store.db.prepare('SELECT * FROM alerts').all());
    expect(stored).not.toContain(apiKey);
  });

  it('with no recipients, sends nothing, raises no error and marks the alerts handled', async () => {
    const alerts = centre({ to: [] });
    alerts.fileSubmitted(fileOutcome('quiet.csv', 0.1));
    alerts.providerUnreachable('down');
    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(0);
    expect(store.alerts.queuedCount()).toBe(0);
    expect(store.alerts.openMail()).toBeUndefined();
    expect(store.db.prepare(`SELECT DISTINCT delivery FROM alert_mails`).pluck().all()).toEqual(['log']);
  });

  it('with no SMTP host, sends nothing either', async () => {
    const alerts = centre({ smtp: { host: '', port: smtp.port, secure: false, user: '', pass: '' } });
    alerts.fileSubmitted(fileOutcome('quiet.csv', 0.1));
    await alerts.flushNow();
    expect(smtp.mails).toHaveLength(0);
    expect(store.alerts.queuedCount()).toBe(0);
  });
});
