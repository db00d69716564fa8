import { describe, expect, it } from 'vitest';
import { composeAlertMail } from '../../src/alerts/compose.js';
import { percent, scrubSecrets, thresholdPercent } from '../../src/alerts/format.js';
import type { AlertRecord, FileFacts } from '../../src/store/alert-transitions.js';

let nextId = 1;

function facts(file: string, successRate: number, overrides: Partial<FileFacts> = {}): FileFacts {
  return { fileId: nextId, file, rows: 100, accepted: Math.round(successRate * 100), failed: 100 - Math.round(successRate * 100), successRate, topErrors: [], ...overrides };
}

function alert(partial: Partial<AlertRecord> & Pick<AlertRecord, 'kind'>): AlertRecord {
  return { id: nextId++, cause: null, file: null, message: '', threshold: 0.8, raisedAt: '2026-03-02T09:00:00.000Z', mailId: 1, ...partial };
}

describe('percentages', () => {
  it('rounds a rate down so that it never reads as the threshold it is below', () => {
    expect(percent(0.992)).toBe('99.2%');
    expect(percent(0.5)).toBe('50%');
    expect(percent(0.7999)).toBe('79.9%');
    expect(percent(1)).toBe('100%');
    expect(percent(0.29)).toBe('29%');
    expect(thresholdPercent(0.8)).toBe('80%');
    expect(thresholdPercent(0.955)).toBe('95.5%');
  });
});

describe('subjects', () => {
  it('says what is wrong, most serious cause first', () => {
    const subject = (alerts: AlertRecord[]): string => composeAlertMail(alerts, { secrets: [] }).subject;
    expect(subject([alert({ kind: 'credentials', message: 'bad key' })])).toBe('imei-daemon: provider refused the credentials');
    expect(
      subject([
        alert({ kind: 'unreachable', message: 'ECONNREFUSED' }),
        ...['a', 'b', 'c'].map((f) => alert({ kind: 'low-success', cause: 'unreachable', file: facts(`${f}.csv`, 0) })),
      ]),
    ).toBe('imei-daemon: provider unreachable (3 files affected)');
    expect(subject([alert({ kind: 'low-success', file: facts('a.csv', 0.1) }), alert({ kind: 'low-success', file: facts('b.csv', 0.2) })])).toBe(
      'imei-daemon: 2 files below 80% success',
    );
    expect(subject([alert({ kind: 'recovered', file: facts('orders.csv', 0.992) })])).toBe(
      'imei-daemon: recovered: orders.csv back at 99.2% success',
    );
    expect(
      subject([alert({ kind: 'low-success', file: facts('a.csv', 0.5) }), alert({ kind: 'recovered', file: facts('b.csv', 0.9) })]),
    ).toBe('imei-daemon: a.csv below 80% success (50%); recovered: b.csv back at 90% success');
  });

  it('keeps the subject one line even when a file name carries line breaks', () => {
    const { subject } = composeAlertMail([alert({ kind: 'low-success', file: facts('evil\r\nBcc: x@y.z.csv', 0) })], { secrets: [] });
    expect(subject).not.toMatch(/[\r\n]/);
  });
});

describe('bodies', () => {
  it('lists the files in a table with rows, rate, failed and top errors, and says what to do', () => {
    const mail = composeAlertMail(
      [alert({ kind: 'low-success', file: facts('orders.csv', 0.25, { topErrors: ['Invalid IMEI', 'Service <disabled> & "gone"'] }) })],
      { secrets: [] },
    );
    expect(mail.text).toContain('orders.csv: 100 rows, 25% success, 75 failed; top errors: Invalid IMEI | Service <disabled> & "gone"');
    expect(mail.text).toContain('imei-daemon retry');
    expect(mail.text).toContain('imei-daemon status');
    expect(mail.html).toContain('<th style="border:1px solid #ccc;padding:4px 8px;text-align:left">Top error messages</th>');
    expect(mail.html).toContain('Service &lt;disabled&gt; &amp; &quot;gone&quot;');
    expect(mail.html).not.toContain('<disabled>');
  });

  it('scrubs every secret, including one that contains another, from every part', () => {
    const secrets = ['abcd', 'xxabcdxx'];
    const mail = composeAlertMail(
      [
        alert({ kind: 'credentials', message: 'key xxabcdxx refused' }),
        alert({ kind: 'low-success', cause: 'credentials', message: 'abcd', file: facts('abcd.csv', 0, { topErrors: ['abcd'] }) }),
      ],
      { secrets },
    );
    for (const part of [mail.subject, mail.text, mail.html]) expect(part).not.toContain('abcd');
    expect(mail.text).toContain('key [redacted] refused');
    expect(scrubSecrets('p', ['', 'p'])).toBe('[redacted]');
  });

  it('tells a cause already reported apart from a new one', () => {
    const mail = composeAlertMail([alert({ kind: 'low-success', cause: 'unreachable', message: 'HTTP 503', file: facts('late.csv', 0) })], {
      secrets: [],
    });
    expect(mail.subject).toBe('imei-daemon: provider unreachable (1 file affected)');
    expect(mail.text).toContain('reported in an earlier mail');
  });
});

describe('a server that orders one IMEI of a list', () => {
  it('is told once, names the service, and says nothing was lost', () => {
    const mail = composeAlertMail(
      [alert({ kind: 'one-imei-per-call', message: 'service 1739: the reply to 100 IMEIs accounted for 1' })],
      { secrets: [] },
    );
    expect(mail.subject).toBe('imei-daemon: the provider orders one IMEI per call');
    expect(mail.text).toContain('service 1739: the reply to 100 IMEIs accounted for 1');
    expect(mail.text).toMatch(/nothing was lost or ordered twice/);
    expect(mail.html).toContain('submission.batching');
  });
});

describe('a provider account short of credit', () => {
  it('says which file waits, that nothing was charged, and how the rows go on', () => {
    const mail = composeAlertMail(
      [alert({ kind: 'no-credit', message: 'orders.csv: 50 rows to order cost 4.00 USD, and the balance (1.00 USD) leaves 1.00 for them' })],
      { secrets: [] },
    );
    expect(mail.subject).toBe('imei-daemon: not enough credit at the provider');
    expect(mail.text).toContain('orders.csv: 50 rows to order cost 4.00 USD');
    expect(mail.text).toMatch(/not Failed: they wait/);
    expect(mail.text).toMatch(/Top up the provider account/);
    expect(mail.html).toContain('<h2>The provider account is short of credit</h2>');
  });
});
