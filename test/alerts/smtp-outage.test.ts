import { afterEach, expect, it } from 'vitest';
import type { AlertCenter } from '../../src/alerts/index.js';
import type { Store } from '../../src/store/store.js';
import {
  centreOptions,
  closedPort,
  fileOutcome,
  ManualClock,
  openCentre,
  startSmtp,
  tempDatabase,
  type TempDatabase,
  type TestSmtp,
} from './helpers.js';

let db: TempDatabase | undefined;
let store: Store | undefined;
let alerts: AlertCenter | undefined;
let smtp: TestSmtp | undefined;

afterEach(async () => {
  await alerts?.close();
  store?.close();
  await smtp?.close();
  db?.remove();
});

it('keeps an alert queued while the SMTP server is down and sends it exactly once when it is back', async () => {
  const port = await closedPort();
  const clock = new ManualClock();
  db = tempDatabase();
  store = db.open();
  alerts = openCentre(store, centreOptions(port, clock));

  alerts.fileSubmitted(fileOutcome('during-outage.csv', 0.2));
  await alerts.flushNow();
  clock.advanceMinutes(5);
  alerts.fileSubmitted(fileOutcome('also-during.csv', 0.4));
  await alerts.flushNow();
  const open = store.alerts.openMail();
  expect(open).toMatchObject({ attempts: 2, sentAt: null });
  expect(open?.lastError).toBeTruthy();
  expect(store.getMeta('lastAlertSentAt')).toBeUndefined();

  // The centre keeps working while mail cannot go out.
  alerts.providerUnreachable('HTTP 503');
  alerts.providerReachable();

  smtp = await startSmtp(port);
  await alerts.flushNow();
  await alerts.flushNow();
  expect(smtp.mails).toHaveLength(1);
  const mail = smtp.mails[0];
  expect(mail?.text).toContain('during-outage.csv');
  expect(mail?.text).toContain('also-during.csv');
  expect(store.alerts.openMail()).toBeUndefined();
  expect(store.alerts.queuedCount()).toBe(0);
  expect(store.db.prepare('SELECT attempts FROM alert_mails').pluck().all()).toEqual([3]);
});

it('waits out the back-off of a failed mail on the timer', async () => {
  const port = await closedPort();
  const clock = new ManualClock();
  db = tempDatabase();
  store = db.open();
  alerts = openCentre(store, centreOptions(port, clock));
  alerts.fileSubmitted(fileOutcome('backoff.csv', 0));
  await alerts.flushNow();
  expect(store.alerts.openMail()?.attempts).toBe(1);
  await alerts.close();

  // A second centre on the same database: its first tick finds the mail inside its back-off.
  smtp = await startSmtp(port);
  alerts = openCentre(store, centreOptions(port, clock, { checkEveryMs: 60_000 }));
  alerts.start();
  await alerts.close();
  expect(smtp.mails).toHaveLength(0);

  // Once the back-off has passed, the timer's first tick sends it.
  clock.advanceMinutes(1);
  alerts = openCentre(store, centreOptions(port, clock, { checkEveryMs: 60_000 }));
  alerts.start();
  await alerts.close();
  expect(smtp.mails).toHaveLength(1);
});
