import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseHealth, type DatabaseHealthOptions, type DatabaseProbe } from '../../src/alerts/index.js';
import { describeWriteRefusal } from '../../src/alerts/database-health-mail.js';
import { closedPort, ManualClock, startSmtp, type TestSmtp } from './helpers.js';

const SMTP_PASSWORD = 'smtp-Pass-4-health';
const API_KEY = 'KEY1-KEY2-KEY3-KEY4';

/** A probe the test breaks and mends by hand, throwing what better-sqlite3 throws. */
class FakeProbe implements DatabaseProbe {
  readonly path = '/var/lib/imei-daemon/checkpoints/imei-daemon.sqlite';
  code: string | undefined;
  writes = 0;
  write(): void {
    this.writes += 1;
    if (this.code) throw Object.assign(new Error(`database or disk is full (${API_KEY})`), { code: this.code });
  }
}

function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

let health: DatabaseHealth | undefined;
let smtp: TestSmtp | undefined;

afterEach(async () => {
  await health?.close();
  await smtp?.close();
  health = undefined;
  smtp = undefined;
});

function options(port: number, clock: ManualClock, overrides: Partial<DatabaseHealthOptions> = {}): DatabaseHealthOptions {
  return {
    to: ['ops@example.com'],
    from: 'imei-daemon@example.com',
    smtp: { host: '127.0.0.1', port, secure: false, user: 'mailer', pass: SMTP_PASSWORD },
    minIntervalMinutes: 60,
    secrets: [API_KEY],
    now: clock.now,
    smtpTimeoutMs: 2000,
    ...overrides,
  };
}

describe('database health', () => {
  it('mails once when writes are refused, not again while it lasts, and once more when they work again', async () => {
    smtp = await startSmtp();
    const clock = new ManualClock();
    const probe = new FakeProbe();
    health = new DatabaseHealth(probe, options(smtp.port, clock), pino({ level: 'silent' }));

    await health.checkNow();
    expect(smtp.mails).toHaveLength(0);
    probe.code = 'SQLITE_FULL';
    await health.checkNow();
    expect(health.writable).toBe(false);
    expect(smtp.mails).toHaveLength(1);
    const alert = smtp.mails[0];
    expect(alert?.subject).toBe('imei-daemon: checkpoints database cannot be written (disk full)');
    expect(alert?.text).toContain('the disk is full (SQLITE_FULL');
    expect(alert?.text).toContain(probe.path);
    expect(alert?.text).toContain('Nothing is lost');
    expect(alert?.html).toContain('<h2>The checkpoints database cannot be written</h2>');

    for (let i = 0; i < 5; i += 1) {
      clock.advanceMinutes(30);
      await health.checkNow();
    }
    expect(smtp.mails).toHaveLength(1);

    probe.code = undefined;
    clock.advanceMinutes(1);
    await health.checkNow();
    expect(health.writable).toBe(true);
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]?.subject).toBe('imei-daemon: recovered: checkpoints database can be written again after 2.5 h');
    await health.checkNow();
    expect(smtp.mails).toHaveLength(2);
    for (const mail of smtp.mails) {
      expect(mail.raw).not.toContain(SMTP_PASSWORD);
      expect(mail.raw).not.toContain(API_KEY);
    }
  });

  it('holds the mail in memory while SMTP fails, retries with back-off, and sends it once', async () => {
    const port = await closedPort();
    const clock = new ManualClock();
    const probe = new FakeProbe();
    const { logger, lines } = capturingLogger();
    health = new DatabaseHealth(probe, options(port, clock), logger);

    probe.code = 'SQLITE_READONLY';
    await health.checkNow();
    expect(lines.some((line) => line.msg === 'cannot send the alert mail about the checkpoints database; it is held in memory and tried again')).toBe(true);
    smtp = await startSmtp(port);
    await health.checkNow(); // still inside the one-minute back-off
    expect(smtp.mails).toHaveLength(0);
    clock.advanceMinutes(1);
    await health.checkNow();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.subject).toBe('imei-daemon: checkpoints database cannot be written (read-only)');
    clock.advanceMinutes(10);
    await health.checkNow();
    expect(smtp.mails).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(API_KEY);
  });

  it('holds a second outage to the interval, and tells one that ended meanwhile in a single mail', async () => {
    smtp = await startSmtp();
    const clock = new ManualClock();
    const probe = new FakeProbe();
    health = new DatabaseHealth(probe, options(smtp.port, clock, { minIntervalMinutes: 60 }), pino({ level: 'silent' }));

    probe.code = 'SQLITE_FULL';
    await health.checkNow();
    probe.code = undefined;
    clock.advanceMinutes(1);
    await health.checkNow();
    expect(smtp.mails.map((mail) => mail.subject)).toEqual([
      'imei-daemon: checkpoints database cannot be written (disk full)',
      'imei-daemon: recovered: checkpoints database can be written again after 60 s',
    ]);

    // A flapping disk: two more outages within the hour mail nothing yet.
    for (let i = 0; i < 2; i += 1) {
      clock.advanceMinutes(5);
      probe.code = 'SQLITE_FULL';
      await health.checkNow();
      clock.advanceMinutes(1);
      probe.code = undefined;
      await health.checkNow();
    }
    expect(smtp.mails).toHaveLength(2);
    clock.advanceMinutes(60);
    await health.checkNow();
    expect(smtp.mails).toHaveLength(3);
    expect(smtp.mails[2]?.subject).toBe('imei-daemon: recovered: checkpoints database can be written again (2 spells since the last mail)');
    expect(smtp.mails[2]?.text.match(/^ {2}- from /gm)).toHaveLength(2);
  });

  it('with no recipients only logs, and ignores a busy database', async () => {
    const clock = new ManualClock();
    const probe = new FakeProbe();
    const { logger, lines } = capturingLogger();
    health = new DatabaseHealth(probe, options(1, clock, { to: [] }), logger);

    probe.code = 'SQLITE_BUSY';
    await health.checkNow();
    expect(health.writable).toBe(true);
    probe.code = 'SQLITE_IOERR_WRITE';
    await health.checkNow();
    await health.checkNow();
    probe.code = undefined;
    await health.checkNow();
    const alerts = lines.filter((line) => String(line.msg).startsWith('alert (no recipients'));
    expect(alerts.map((line) => line.subject)).toEqual([
      'imei-daemon: checkpoints database cannot be written (I/O error)',
      'imei-daemon: recovered: checkpoints database can be written again after 0 s',
    ]);
    expect(JSON.stringify(lines)).not.toContain(API_KEY);
  });

  it('survives a probe that throws anything and stops cleanly', async () => {
    const clock = new ManualClock();
    const probe: DatabaseProbe = {
      path: '/nowhere/imei-daemon.sqlite',
      write: () => {
        throw 'not even an Error';
      },
    };
    health = new DatabaseHealth(probe, options(1, clock, { to: [], probeIntervalMs: 10 }), pino({ level: 'silent' }));
    health.start();
    health.writeFailed(null);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(health.writable).toBe(false);
    await health.close();
    await health.close();
  });

  it('names the reason in plain words', () => {
    expect(describeWriteRefusal(Object.assign(new Error('x'), { code: 'SQLITE_FULL' }))?.words).toBe('the disk is full');
    expect(describeWriteRefusal(Object.assign(new Error('x'), { code: 'SQLITE_READONLY_DBMOVED' }))?.kind).toBe('read-only');
    expect(describeWriteRefusal(Object.assign(new Error('x'), { code: 'SQLITE_LOCKED' }))).toBeUndefined();
    expect(describeWriteRefusal(new Error('odd'))?.words).toBe('the database refused the write: odd');
  });
});
