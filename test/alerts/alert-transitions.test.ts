import { afterEach, beforeEach, expect, it } from 'vitest';
import type { NewAlert } from '../../src/store/alert-transitions.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/store.js';
import { tempDatabase, type TempDatabase } from './helpers.js';

let db: TempDatabase;
let store: Store;
const NOW = '2026-03-02T09:00:00.000Z';

function lowSuccess(file: string): NewAlert {
  return {
    kind: 'low-success',
    cause: null,
    file: { fileId: 1, file, rows: 10, accepted: 1, failed: 9, successRate: 0.1, topErrors: ['x'] },
    message: '',
    threshold: 0.8,
    raisedAt: NOW,
  };
}

let ids = 0;
const messageIds = (): string => `<m${++ids}@test>`;

beforeEach(() => {
  db = tempDatabase();
  store = db.open();
});

afterEach(() => {
  store.close();
  db.remove();
});

it('migrates to the alert tables', () => {
  expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  const tables = store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'alert%' ORDER BY name`).pluck().all();
  expect(tables).toEqual(['alert_conditions', 'alert_mails', 'alerts']);
});

it('gathers every queued alert into one mail, and adds later ones to a mail that failed', () => {
  store.alerts.raise(lowSuccess('a.csv'));
  store.alerts.raise(lowSuccess('b.csv'));
  const first = store.alerts.prepareMail(NOW, messageIds);
  expect(first?.alerts.map((a) => a.file?.file)).toEqual(['a.csv', 'b.csv']);
  store.alerts.beginAttempt(first?.mail.id ?? 0, 's', 'ops@example.com', NOW);
  store.alerts.markFailed(first?.mail.id ?? 0, 'ECONNREFUSED');

  store.alerts.raise(lowSuccess('c.csv'));
  const second = store.alerts.prepareMail(NOW, messageIds);
  expect(second?.mail.id).toBe(first?.mail.id);
  expect(second?.mail.messageId).not.toBe(first?.mail.messageId);
  expect(second?.alerts.map((a) => a.file?.file)).toEqual(['a.csv', 'b.csv', 'c.csv']);
  expect(second?.mail).toMatchObject({ attempts: 1, lastError: 'ECONNREFUSED', sentAt: null });

  store.alerts.markSent(second?.mail.id ?? 0, 'smtp', '<m@test>', NOW);
  expect(store.alerts.prepareMail(NOW, messageIds)).toBeUndefined();
  expect(store.alerts.lastMailSentAt()).toBe(NOW);
});

it('freezes a mail whose attempt a crash cut off', () => {
  store.alerts.raise(lowSuccess('a.csv'));
  const mail = store.alerts.prepareMail(NOW, messageIds);
  store.alerts.beginAttempt(mail?.mail.id ?? 0, 's', 'ops@example.com', NOW);
  expect(store.alerts.markInterruptedInDoubt()).toBe(1);
  store.alerts.raise(lowSuccess('b.csv'));
  const again = store.alerts.prepareMail(NOW, messageIds);
  expect(again?.mail).toMatchObject({ id: mail?.mail.id, messageId: mail?.mail.messageId, inDoubt: true });
  expect(again?.alerts.map((a) => a.file?.file)).toEqual(['a.csv']);
  expect(store.alerts.queuedCount()).toBe(1);
});

it('keeps standing conditions until cleared', () => {
  store.alerts.raise({ ...lowSuccess('a.csv'), kind: 'credentials', file: null, message: 'no' }, { set: [{ kind: 'credentials', message: 'no' }] });
  expect(store.alerts.standing('credentials')).toEqual({ kind: 'credentials', message: 'no', since: NOW });
  store.alerts.changeConditions({ clear: ['credentials'] }, NOW);
  expect(store.alerts.standing('credentials')).toBeUndefined();
});
