import { randomUUID } from 'node:crypto';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AlertTransitions, PreparedMail } from '../store/alert-transitions.js';
import { composeAlertMail, type ComposedMail } from './compose.js';
import { scrubSecrets } from './format.js';
import type { Mailer } from './mailer.js';

export interface MailQueueOptions {
  /** Undefined: no recipients or no SMTP host; mails go to the log. */
  mailer: Mailer | undefined;
  to: readonly string[];
  minIntervalMinutes: number;
  secrets: readonly string[];
  now: () => Date;
}

export interface DeliverOptions {
  /** Try a mail that failed now, without waiting for its back-off (the interval still holds). */
  ignoreBackoff: boolean;
}

const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 30 * 60_000;

/** After a failed attempt: one minute, doubling, at most thirty. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(attempts - 1, 0), MAX_RETRY_MS);
}

/**
 * Turns queued alerts into mails: at most one per interval, each carrying every alert queued
 * since the last. The mail row and its alerts are committed before the SMTP call and the outcome
 * after it, so a mail that fails stays queued and one that was sent is never sent again.
 */
export class AlertMailQueue {
  constructor(
    private readonly alerts: AlertTransitions,
    private readonly options: MailQueueOptions,
    private readonly logger: Logger,
  ) {}

  /** Sends (or logs) the next mail if one is due. Never throws: a failure is recorded and retried. */
  async deliver(options: DeliverOptions): Promise<void> {
    try {
      if (this.options.mailer === undefined) {
        this.deliverToLog();
        return;
      }
      if (!this.isDue(options)) return;
      const prepared = this.alerts.prepareMail(this.nowIso(), newMessageId);
      if (prepared) await this.send(this.options.mailer, prepared);
    } catch (error) {
      this.logger.error({ err: this.scrub(describeError(error)) }, 'alert delivery failed; the alerts stay queued');
    }
  }

  /** With nowhere to mail to, alerts are written to the log at once and marked handled. */
  deliverToLog(): void {
    for (;;) {
      const prepared = this.alerts.prepareMail(this.nowIso(), newMessageId);
      if (!prepared) return;
      const mail = this.compose(prepared);
      this.alerts.beginAttempt(prepared.mail.id, mail.subject, '', this.nowIso());
      // The subject is in the message; `body` is shown as text on a terminal (log.ts).
      this.logger.warn({ body: mail.text }, `alert (no recipients or SMTP host configured): ${mail.subject}`);
      this.alerts.markSent(prepared.mail.id, 'log', null, this.nowIso());
    }
  }

  private isDue(options: DeliverOptions): boolean {
    const open = this.alerts.openMail();
    if (open === undefined && this.alerts.queuedCount() === 0) return false;
    const now = this.options.now().getTime();
    const lastSent = this.alerts.lastMailSentAt();
    if (lastSent !== undefined) {
      const elapsed = now - Date.parse(lastSent);
      // A clock set back (elapsed < 0) must not silence alerts until it catches up.
      if (elapsed >= 0 && elapsed < this.options.minIntervalMinutes * 60_000) return false;
    }
    if (open && open.attempts > 0 && open.lastAttemptAt && !options.ignoreBackoff) {
      if (now < Date.parse(open.lastAttemptAt) + retryDelayMs(open.attempts)) return false;
    }
    return true;
  }

  private async send(mailer: Mailer, prepared: PreparedMail): Promise<void> {
    const { mail } = prepared;
    const composed = this.compose(prepared);
    const messageId = mail.messageId ?? newMessageId();
    this.alerts.beginAttempt(mail.id, composed.subject, this.options.to.join(', '), this.nowIso());
    try {
      const sent = await mailer.send({ to: this.options.to, ...composed, messageId });
      this.alerts.markSent(mail.id, 'smtp', sent.messageId, this.nowIso());
      if (sent.rejected.length > 0) {
        this.logger.warn({ rejected: sent.rejected }, 'the SMTP server refused some alert recipients');
      }
      this.logger.info({ mailId: mail.id, alerts: prepared.alerts.length, subject: composed.subject }, 'alert mail sent');
    } catch (error) {
      const message = this.scrub(describeError(error));
      this.alerts.markFailed(mail.id, message);
      this.logger.warn(
        { mailId: mail.id, attempts: mail.attempts + 1, err: message },
        'cannot send the alert mail; it stays queued and will be tried again',
      );
    }
  }

  private compose(prepared: PreparedMail): ComposedMail {
    return composeAlertMail(prepared.alerts, { secrets: this.options.secrets });
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.options.secrets);
  }

  private nowIso(): string {
    return this.options.now().toISOString();
  }
}

function newMessageId(): string {
  return `<alert-${randomUUID()}@imei-daemon>`;
}
