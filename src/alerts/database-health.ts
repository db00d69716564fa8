import { randomUUID } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { composeDatabaseMail, describeWriteRefusal, type OutageFacts, type WriteRefusal } from './database-health-mail.js';
import { scrubSecrets } from './format.js';
import { retryDelayMs } from './mail-queue.js';
import { createSmtpMailer, type Mailer } from './mailer.js';
import type { SmtpOptions } from './types.js';

/** A tiny committed write to the database, and the file it lands in. */
export interface DatabaseProbe {
  readonly path: string;
  /** Throws what the database throws when it refuses the write. */
  write(): void;
}

/** The daemon's probe: one row of `meta` rewritten, which needs a commit like any real write. */
export function heartbeatProbe(store: Store): DatabaseProbe {
  return {
    path: store.db.name,
    write(): void {
      if (store.db.open) store.setMeta('heartbeat', new Date().toISOString());
    },
  };
}

export interface DatabaseHealthOptions {
  /** Recipients; empty means the alert goes to the log only, like every other alert. */
  to: string[];
  from: string;
  smtp: SmtpOptions;
  /**
   * A new outage alert waits until this long after the last mail about the database, so a
   * flapping disk cannot flood the mailbox. The recovery of an outage staff were told of is not
   * held: it is the mail they wait for.
   */
  minIntervalMinutes: number;
  /** Never mailed or logged (the API key); the SMTP password is always added. */
  secrets?: string[];
  /**
   * How often the probe writes. Default 5000 ms: an outage is mailed within seconds, and one
   * small commit every 5 s costs nothing next to the daemon's own writes.
   */
  probeIntervalMs?: number;
  now?: () => Date;
  /** SMTP connection, greeting and socket timeouts. Default 10000 ms (the mailer's). */
  smtpTimeoutMs?: number;
  /** Replaces the SMTP mailer built from `smtp` (tests). */
  mailer?: Mailer;
}

interface Outage extends OutageFacts {
  /** A delivered mail announced it while it went on: its end needs a recovery mail. */
  told: boolean;
}

/** What one mail says, and so what its delivery settles. */
interface Cover {
  outage: Outage;
  ongoing: boolean;
}

export const DEFAULT_PROBE_INTERVAL_MS = 5_000;

/**
 * Watches whether the checkpoints database accepts writes and tells staff when it does not.
 * Alert mails normally queue in that very database, so this path keeps everything in memory
 * and sends straight through SMTP: one alert per outage, retried with back-off while SMTP
 * fails, then one recovery mail. Nothing here throws: a broken disk must not stop the daemon.
 */
export class DatabaseHealth {
  private readonly mailer: Mailer | undefined;
  private readonly ownsMailer: boolean;
  private readonly secrets: string[];
  private readonly now: () => Date;
  private current: Outage | undefined;
  /** Outages over whose end no mail has told yet. */
  private ended: Outage[] = [];
  private lastMailAt: number | undefined;
  private failures = 0;
  private nextTryAt = 0;
  /** The message id of the mail being retried: a resend of the same content keeps it. */
  private pending: { key: string; messageId: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly probe: DatabaseProbe,
    private readonly options: DatabaseHealthOptions,
    private readonly logger: Logger,
  ) {
    this.secrets = [...(options.secrets ?? []), options.smtp.pass].filter((secret) => secret.length > 0);
    this.now = options.now ?? (() => new Date());
    this.ownsMailer = options.mailer === undefined;
    const mailable = options.to.length > 0 && (options.mailer !== undefined || options.smtp.host.length > 0);
    this.mailer = !mailable
      ? undefined
      : (options.mailer ??
        createSmtpMailer({ smtp: options.smtp, from: options.from, ...(options.smtpTimeoutMs ? { timeoutMs: options.smtpTimeoutMs } : {}) }));
  }

  /** False from the first refused write until a write works again. */
  get writable(): boolean {
    return this.current === undefined;
  }

  /** Probes now and every `probeIntervalMs` after. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.check(), this.options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS);
    this.timer.unref();
    this.check();
  }

  /**
   * For code whose own write failed: the outage is known at once instead of at the next probe.
   * Errors that say nothing about writing (SQLITE_BUSY) are ignored.
   */
  writeFailed(error: unknown): void {
    this.guard(() => {
      const refusal = describeWriteRefusal(error);
      if (refusal) this.refused(refusal);
      this.kick();
    });
  }

  /** One probe and whatever mail is due; resolves when that mail was tried (tests). */
  async checkNow(): Promise<void> {
    await this.sending;
    this.check();
    await this.sending;
  }

  /** Stops probing and waits for a mail being sent; one still held is only in the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sending;
    if ((this.current && !this.current.told) || this.ended.length > 0) {
      this.logger.warn(
        { database: this.probe.path, writable: this.writable },
        'stopping before the mail about the checkpoints database went out; the log above has what happened',
      );
    }
    if (this.ownsMailer) this.guard(() => this.mailer?.close());
  }

  private check(): void {
    this.guard(() => {
      if (this.closed) return;
      try {
        this.probe.write();
        this.worked();
      } catch (error) {
        const refusal = describeWriteRefusal(error);
        if (refusal) this.refused(refusal);
        else this.logger.debug({ err: this.scrub(describeError(error)) }, 'database health probe inconclusive');
      }
      this.kick();
    });
  }

  private refused(refusal: WriteRefusal): void {
    if (this.current) return;
    this.current = { since: this.now(), until: undefined, refusal, freeBytes: this.freeBytes(), told: false };
    this.logger.error(
      { database: this.probe.path, code: refusal.code, freeBytes: this.current.freeBytes },
      this.scrub(`the checkpoints database cannot be written: ${refusal.words}; nothing is lost, the daemon waits and carries on by itself`),
    );
  }

  private worked(): void {
    const outage = this.current;
    if (!outage) return;
    outage.until = this.now();
    this.current = undefined;
    this.ended.push(outage);
    this.logger.warn(
      { database: this.probe.path, code: outage.refusal.code, outageMs: outage.until.getTime() - outage.since.getTime() },
      'the checkpoints database can be written again',
    );
  }

  private freeBytes(): number | undefined {
    try {
      const stats = statfsSync(dirname(this.probe.path));
      return stats.bavail * stats.bsize;
    } catch {
      return undefined;
    }
  }

  private kick(): void {
    if (this.sending || this.closed) return;
    const run = this.deliver().finally(() => {
      if (this.sending === run) this.sending = undefined;
    });
    this.sending = run;
  }

  /** What the next mail must say, or undefined when nothing is due yet. */
  private due(nowMs: number): Cover[] | undefined {
    const untold = this.current && !this.current.told ? this.current : undefined;
    if (!untold && this.ended.length === 0) return undefined;
    const recoveryOnly = untold === undefined && this.ended.some((outage) => outage.told);
    if (this.mailer) {
      if (nowMs < this.nextTryAt) return undefined;
      if (!recoveryOnly && this.lastMailAt !== undefined) {
        const elapsed = nowMs - this.lastMailAt;
        // A clock set back (elapsed < 0) must not silence the alert until it catches up.
        if (elapsed >= 0 && elapsed < this.options.minIntervalMinutes * 60_000) return undefined;
      }
    }
    return [...this.ended.map((outage) => ({ outage, ongoing: false })), ...(untold ? [{ outage: untold, ongoing: true }] : [])];
  }

  private async deliver(): Promise<void> {
    try {
      const covers = this.due(this.now().getTime());
      if (!covers) return;
      const current = covers.find((cover) => cover.ongoing)?.outage;
      const ended = covers.filter((cover) => !cover.ongoing).map((cover) => cover.outage);
      const mail = composeDatabaseMail({ path: this.probe.path, current, ended }, { secrets: this.secrets });
      if (!this.mailer) {
        this.logger.warn({ subject: mail.subject, body: mail.text }, `alert (no recipients or SMTP host configured): ${mail.subject}`);
        this.delivered(covers);
        return;
      }
      const key = covers.map((cover) => `${cover.outage.since.getTime()}:${cover.ongoing}`).join(',');
      if (this.pending?.key !== key) this.pending = { key, messageId: `<database-${randomUUID()}@imei-daemon>` };
      try {
        const sent = await this.mailer.send({ to: this.options.to, ...mail, messageId: this.pending.messageId });
        this.logger.info({ subject: mail.subject, messageId: sent.messageId }, 'alert mail about the checkpoints database sent');
        if (sent.rejected.length > 0) this.logger.warn({ rejected: sent.rejected }, 'the SMTP server refused some alert recipients');
        this.delivered(covers);
      } catch (error) {
        this.failures += 1;
        const delayMs = retryDelayMs(this.failures);
        this.nextTryAt = this.now().getTime() + delayMs;
        this.logger.warn(
          { subject: mail.subject, attempts: this.failures, retryInMs: delayMs, err: this.scrub(describeError(error)) },
          'cannot send the alert mail about the checkpoints database; it is held in memory and tried again',
        );
      }
    } catch (error) {
      this.logger.error({ err: this.scrub(describeError(error)) }, 'database health alert failed');
    }
  }

  /** Settles what the mail said: an outage it announced now needs only its recovery. */
  private delivered(covers: readonly Cover[]): void {
    this.lastMailAt = this.now().getTime();
    this.failures = 0;
    this.nextTryAt = 0;
    this.pending = undefined;
    const toldEnd = new Set(covers.filter((cover) => !cover.ongoing).map((cover) => cover.outage));
    this.ended = this.ended.filter((outage) => !toldEnd.has(outage));
    // Marked even when it ended while the mail was on its way: then it stays in `ended` and its recovery is due.
    for (const cover of covers) if (cover.ongoing) cover.outage.told = true;
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      try {
        this.logger.error({ err: this.scrub(describeError(error)) }, 'database health check failed');
      } catch {
        // The logger itself failed (its disk is full too): nothing more can be done here.
      }
    }
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.secrets);
  }
}
