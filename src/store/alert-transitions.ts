import type { Db } from './db.js';

/**
 * What an alert is about. `recovered` follows a `low-success` alert once a file is fine again;
 * `one-imei-per-call` is a notice, sent once per service, that the server orders one IMEI of a list;
 * `no-credit`: the provider account's balance does not cover a file, whose rows wait.
 */
export type AlertKind =
  | 'low-success'
  | 'recovered'
  | 'credentials'
  | 'unreachable'
  | 'output-blocked'
  | 'one-imei-per-call'
  | 'no-credit';

/** A provider condition that explains (and absorbs) the low-success files raised while it stands. */
export type AlertCause = 'credentials' | 'unreachable';

/** Conditions that, once alerted, stand until cleared; none is alerted twice while it stands. */
export type ConditionKind = 'low-success' | AlertCause | 'output-blocked' | 'no-credit';

/** How one file's submission went, as an alert tells it. */
export interface FileFacts {
  fileId: number;
  file: string;
  rows: number;
  accepted: number;
  failed: number;
  /** 0..1 */
  successRate: number;
  topErrors: string[];
  /** Rows the daemon was asked to order: all but Duplicate and Invalid. Absent in alerts raised before it was kept. */
  toOrder?: number;
  /** 0..1, the rate the alert is judged on (`FileSummary.orderSuccessRate`); absent in older alerts. */
  orderSuccessRate?: number;
}

export interface NewAlert {
  kind: AlertKind;
  /** For a low-success alert raised while a provider condition stands. */
  cause: AlertCause | null;
  file: FileFacts | null;
  /** The provider's words, or for a folded alert the standing cause's; secrets already scrubbed. */
  message: string;
  /** The threshold in force when the alert was raised (0..1). */
  threshold: number;
  raisedAt: string;
}

export interface AlertRecord extends NewAlert {
  id: number;
  /** The mail that carries it; `null` while queued. */
  mailId: number | null;
}

export interface StandingCondition {
  kind: ConditionKind;
  message: string;
  since: string;
}

/** What to change about standing conditions in the same transaction as the alert. */
export interface ConditionChange {
  set?: { kind: ConditionKind; message: string }[];
  clear?: ConditionKind[];
}

export type MailDelivery = 'smtp' | 'log';

export interface AlertMailRecord {
  id: number;
  delivery: MailDelivery;
  subject: string;
  recipients: string;
  messageId: string | null;
  createdAt: string;
  attempts: number;
  lastAttemptAt: string | null;
  lastError: string | null;
  inDoubt: boolean;
  sentAt: string | null;
}

/** The mail about to be attempted and every alert it carries, oldest first. */
export interface PreparedMail {
  mail: AlertMailRecord;
  alerts: AlertRecord[];
}

interface AlertRow {
  id: number;
  kind: AlertKind;
  cause: AlertCause | null;
  fileFacts: string | null;
  message: string;
  threshold: number;
  raisedAt: string;
  mailId: number | null;
}

interface MailRow extends Omit<AlertMailRecord, 'inDoubt'> {
  inDoubt: number;
}

const ALERT_COLUMNS = `id, kind, cause, file_facts AS fileFacts, message, threshold, raised_at AS raisedAt, mail_id AS mailId`;
const MAIL_COLUMNS = `id, delivery, subject, recipients, message_id AS messageId, created_at AS createdAt, attempts,
  last_attempt_at AS lastAttemptAt, last_error AS lastError, in_doubt AS inDoubt, sent_at AS sentAt`;

function toAlert(row: AlertRow): AlertRecord {
  const { fileFacts, ...rest } = row;
  return { ...rest, file: fileFacts === null ? null : (JSON.parse(fileFacts) as FileFacts) };
}

function toMail(row: MailRow): AlertMailRecord {
  return { ...row, inDoubt: row.inDoubt === 1 };
}

/**
 * The alert queue. An alert is committed when raised; a mail is a row created when delivery
 * begins, and takes every queued alert. Each attempt is recorded before the SMTP call and its
 * outcome after, so a restart neither resends what was sent nor forgets what was not.
 */
export class AlertTransitions {
  constructor(private readonly db: Db) {}

  standing(kind: ConditionKind): StandingCondition | undefined {
    return this.db.prepare('SELECT kind, message, since FROM alert_conditions WHERE kind = ?').get(kind) as
      | StandingCondition
      | undefined;
  }

  /** Records an alert and the condition changes it implies, in one transaction. */
  raise(alert: NewAlert, change: ConditionChange = {}): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO alerts (kind, cause, file_facts, message, threshold, raised_at) VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(
            alert.kind,
            alert.cause,
            alert.file === null ? null : JSON.stringify(alert.file),
            alert.message,
            alert.threshold,
            alert.raisedAt,
          ).lastInsertRowid,
      );
      this.applyConditions(change, alert.raisedAt);
      return id;
    })();
  }

  /** Changes standing conditions without raising an alert (a condition cleared). */
  changeConditions(change: ConditionChange, now: string): void {
    this.db.transaction(() => this.applyConditions(change, now))();
  }

  private applyConditions(change: ConditionChange, now: string): void {
    const set = this.db.prepare(
      `INSERT INTO alert_conditions (kind, message, since) VALUES (?, ?, ?)
       ON CONFLICT(kind) DO UPDATE SET message = excluded.message`,
    );
    const clear = this.db.prepare('DELETE FROM alert_conditions WHERE kind = ?');
    for (const condition of change.set ?? []) set.run(condition.kind, condition.message, now);
    for (const kind of change.clear ?? []) clear.run(kind);
  }

  queuedCount(): number {
    return this.db.prepare('SELECT COUNT(*) FROM alerts WHERE mail_id IS NULL').pluck().get() as number;
  }

  /** The oldest mail not yet sent (an attempt failed, or was cut off by a crash). */
  openMail(): AlertMailRecord | undefined {
    const row = this.db
      .prepare(`SELECT ${MAIL_COLUMNS} FROM alert_mails WHERE sent_at IS NULL ORDER BY id LIMIT 1`)
      .get() as MailRow | undefined;
    return row === undefined ? undefined : toMail(row);
  }

  getMail(mailId: number): AlertMailRecord | undefined {
    const row = this.db.prepare(`SELECT ${MAIL_COLUMNS} FROM alert_mails WHERE id = ?`).get(mailId) as MailRow | undefined;
    return row === undefined ? undefined : toMail(row);
  }

  alertsOfMail(mailId: number): AlertRecord[] {
    const rows = this.db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE mail_id = ? ORDER BY id`).all(mailId) as AlertRow[];
    return rows.map(toAlert);
  }

  /**
   * Gathers the next mail: the open one, or a new one, takes every queued alert. A mail in doubt
   * (a crash cut its attempt off, so it may have arrived) takes nothing more: it is resent as it
   * was, under the same Message-ID, so a receiver can tell the copies apart. A mail that gains
   * alerts gets `newMessageId`, because it is no longer the mail that may have been seen.
   * Returns undefined when there is nothing to send.
   */
  prepareMail(now: string, newMessageId: () => string): PreparedMail | undefined {
    return this.db.transaction(() => {
      let mail = this.openMail();
      if (mail?.inDoubt) return { mail, alerts: this.alertsOfMail(mail.id) };
      const queued = this.queuedCount();
      if (mail === undefined) {
        if (queued === 0) return undefined;
        const id = Number(
          this.db
            .prepare(`INSERT INTO alert_mails (delivery, message_id, created_at) VALUES ('smtp', ?, ?)`)
            .run(newMessageId(), now).lastInsertRowid,
        );
        mail = this.getMail(id) as AlertMailRecord;
      } else if (queued > 0) {
        this.db.prepare('UPDATE alert_mails SET message_id = ? WHERE id = ?').run(newMessageId(), mail.id);
      }
      this.db.prepare('UPDATE alerts SET mail_id = ? WHERE mail_id IS NULL').run(mail.id);
      return { mail: this.getMail(mail.id) as AlertMailRecord, alerts: this.alertsOfMail(mail.id) };
    })();
  }

  /** Committed before the mail leaves: what is about to be sent, to whom. */
  beginAttempt(mailId: number, subject: string, recipients: string, now: string): void {
    this.db
      .prepare(
        `UPDATE alert_mails SET subject = ?, recipients = ?, in_flight = 1, attempts = attempts + 1, last_attempt_at = ?
          WHERE id = ? AND sent_at IS NULL`,
      )
      .run(subject, recipients, now, mailId);
  }

  /** The mail went out (or, with no recipients, to the log); `status` shows `lastAlertSentAt`. */
  markSent(mailId: number, delivery: MailDelivery, messageId: string | null, sentAt: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE alert_mails SET delivery = ?, message_id = COALESCE(?, message_id), sent_at = ?, in_flight = 0,
                  last_error = NULL
            WHERE id = ?`,
        )
        .run(delivery, messageId, sentAt, mailId);
      const subject = this.db.prepare('SELECT subject FROM alert_mails WHERE id = ?').pluck().get(mailId) as string;
      const setMeta = this.db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      );
      setMeta.run('lastAlertSentAt', sentAt);
      setMeta.run('lastAlertSubject', subject);
    })();
  }

  /** The attempt failed: the mail stays open, with its alerts, for the next attempt. */
  markFailed(mailId: number, error: string): void {
    this.db.prepare('UPDATE alert_mails SET in_flight = 0, last_error = ? WHERE id = ?').run(error, mailId);
  }

  /** At start: an attempt left in flight by a crash may have been delivered. */
  markInterruptedInDoubt(): number {
    return this.db
      .prepare('UPDATE alert_mails SET in_flight = 0, in_doubt = 1 WHERE in_flight = 1 AND sent_at IS NULL')
      .run().changes;
  }

  /** When the last mail went out over SMTP; the interval between mails counts from it. */
  lastMailSentAt(): string | undefined {
    return (
      (this.db.prepare(`SELECT MAX(sent_at) FROM alert_mails WHERE delivery = 'smtp'`).pluck().get() as string | null) ??
      undefined
    );
  }
}
