import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { orderSuccessRate } from '../report/summary.js';
import type {
  AlertCause,
  AlertTransitions,
  ConditionChange,
  ConditionKind,
  FileFacts,
  NewAlert,
} from '../store/alert-transitions.js';
import { scrubSecrets } from './format.js';
import { AlertMailQueue } from './mail-queue.js';
import { createSmtpMailer, type Mailer } from './mailer.js';
import type { AlertCenterOptions, FileSubmittedInput } from './types.js';

const DEFAULT_CHECK_EVERY_MS = 5_000;

/**
 * Decides what is worth an alert and hands the alerts to the mail queue. Every call records its
 * alert in the store before returning and never throws: alerting must not break submission.
 *
 * Conditions stand until cleared, so each is alerted once: bad credentials, provider down, and
 * "a file fell below the threshold" (cleared by the recovery alert of the next good file). While
 * a provider condition stands, low-success files are folded under it: one cause, many files.
 */
export class AlertCenter {
  private readonly queue: AlertMailQueue;
  private readonly mailer: Mailer | undefined;
  private readonly secrets: string[];
  private readonly now: () => Date;
  /** Which conditions stand; kept in memory because `providerReachable` is called on every good call. */
  private readonly standing = new Map<ConditionKind, string>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly alerts: AlertTransitions,
    private readonly options: AlertCenterOptions,
    private readonly logger: Logger,
  ) {
    this.secrets = [...(options.secrets ?? []), options.smtp.pass].filter((secret) => secret.length > 0);
    this.now = options.now ?? (() => new Date());
    const mailable = options.to.length > 0 && options.smtp.host.length > 0;
    this.mailer = mailable
      ? createSmtpMailer({ smtp: options.smtp, from: options.from, ...(options.smtpTimeoutMs ? { timeoutMs: options.smtpTimeoutMs } : {}) })
      : undefined;
    this.queue = new AlertMailQueue(
      alerts,
      {
        mailer: this.mailer,
        to: options.to,
        minIntervalMinutes: options.minIntervalMinutes,
        secrets: this.secrets,
        now: this.now,
      },
      logger,
    );
    const inDoubt = alerts.markInterruptedInDoubt();
    if (inDoubt > 0) {
      this.logger.warn({ mails: inDoubt }, 'an alert mail was being sent when the daemon stopped; it is sent again unchanged');
    }
    for (const kind of ['low-success', 'credentials', 'unreachable', 'output-blocked', 'no-credit'] as const) {
      const condition = alerts.standing(kind);
      if (condition) this.standing.set(kind, condition.message);
    }
  }

  /**
   * Once per file, after its submission finished. Judged on the rows the daemon was asked to
   * order (`orderSuccessRate`): Duplicate and Invalid rows were never to be ordered, so a file of
   * phones already checked is not a failure. A file with nothing to order never alerts.
   */
  fileSubmitted(input: FileSubmittedInput): void {
    this.guard(() => {
      const counts = {
        rows: input.rows,
        duplicates: input.duplicates ?? 0,
        invalid: input.invalid ?? 0,
        failed: input.failed,
        unconfirmed: input.unconfirmed ?? 0,
        unknown: input.unknown ?? 0,
      };
      const toOrder = counts.rows - counts.duplicates - counts.invalid;
      if (toOrder <= 0) return;
      const rate = orderSuccessRate(counts);
      const file: FileFacts = {
        fileId: input.fileId,
        file: this.scrub(input.file),
        rows: input.rows,
        accepted: input.accepted,
        failed: input.failed,
        successRate: input.successRate,
        topErrors: input.topErrors.map((error) => this.scrub(error)),
        toOrder,
        orderSuccessRate: rate,
      };
      if (rate < this.options.threshold) {
        const cause = this.standingCause();
        const message = cause ? (this.standing.get(cause) ?? '') : '';
        this.raise({ kind: 'low-success', cause, file, message }, { set: [{ kind: 'low-success', message: file.file }] });
      } else if (this.standing.has('low-success')) {
        this.raise({ kind: 'recovered', cause: null, file, message: '' }, { clear: ['low-success'] });
      }
    });
  }

  /** Bad username or API key: alerted once while it stands. */
  providerRefusedCredentials(message: string): void {
    this.guard(() => this.raiseCondition('credentials', message));
  }

  credentialsAccepted(): void {
    this.guard(() => this.clearCondition('credentials'));
  }

  /** Batches gave up on connection failures or 5xx: alerted once while it stands. */
  providerUnreachable(message: string): void {
    this.guard(() => this.raiseCondition('unreachable', message));
  }

  providerReachable(): void {
    this.guard(() => this.clearCondition('unreachable'));
  }

  /**
   * The server answered a list of IMEIs for only some of them, so the daemon now sends this
   * service one IMEI per call: said once per service (the store remembers it), never a condition.
   */
  providerOrdersOneImeiPerCall(serviceId: string, reason: string): void {
    this.guard(() => this.raise({ kind: 'one-imei-per-call', cause: null, file: null, message: this.scrub(`service ${serviceId}: ${reason}`) }, {}));
  }

  /**
   * The provider account's balance does not cover a file (or the provider refused an order for
   * lack of credit): its rows wait. Alerted once while it stands.
   */
  providerShortOfCredit(message: string): void {
    this.guard(() => this.raiseCondition('no-credit', message));
  }

  /** Every file that waited for credit was released. */
  creditCovered(): void {
    this.guard(() => this.clearCondition('no-credit'));
  }

  /** A report could not be written or a file moved (disk full, processed/ not writable): alerted once while it stands. */
  outputBlocked(file: string, message: string): void {
    this.guard(() => this.raiseCondition('output-blocked', `${file}: ${message}`));
  }

  outputWorks(): void {
    this.guard(() => this.clearCondition('output-blocked'));
  }

  /** Looks for a due mail now and every few seconds after; the first alert after a quiet spell goes out at once. */
  start(): void {
    if (this.timer || this.closing) return;
    this.timer = setInterval(() => this.tick(), this.options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS);
    this.timer.unref();
    this.tick();
  }

  /** Delivers what is due now, failed mails included without their back-off; the interval still holds. */
  async flushNow(): Promise<void> {
    await this.inFlight;
    if (this.closing) return;
    await this.run({ ignoreBackoff: true });
  }

  /** Stops the timer and waits for a mail being sent; what is queued stays for the next start. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    this.mailer?.close();
  }

  private tick(): void {
    if (this.inFlight || this.closing) return;
    void this.run({ ignoreBackoff: false });
  }

  private run(options: { ignoreBackoff: boolean }): Promise<void> {
    const run = this.queue.deliver(options).finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  private raiseCondition(kind: AlertCause | 'output-blocked' | 'no-credit', message: string): void {
    if (this.standing.has(kind)) return;
    const clean = this.scrub(message);
    this.raise({ kind, cause: null, file: null, message: clean }, { set: [{ kind, message: clean }] });
  }

  private clearCondition(kind: AlertCause | 'output-blocked' | 'no-credit'): void {
    if (!this.standing.has(kind)) return;
    this.alerts.changeConditions({ clear: [kind] }, this.now().toISOString());
    this.standing.delete(kind);
    this.logger.info({ condition: kind }, 'alert condition cleared');
  }

  /** Bad credentials explain more than a provider that is down, so they take the files first. */
  private standingCause(): AlertCause | null {
    if (this.standing.has('credentials')) return 'credentials';
    if (this.standing.has('unreachable')) return 'unreachable';
    return null;
  }

  private raise(alert: Omit<NewAlert, 'threshold' | 'raisedAt'>, change: ConditionChange): void {
    const full: NewAlert = { ...alert, threshold: this.options.threshold, raisedAt: this.now().toISOString() };
    this.alerts.raise(full, change);
    for (const { kind, message } of change.set ?? []) this.standing.set(kind, message);
    for (const kind of change.clear ?? []) this.standing.delete(kind);
    this.logger.warn(
      {
        alert: alert.kind,
        ...(alert.cause ? { cause: alert.cause } : {}),
        ...(alert.file ? { file: alert.file.file, orderSuccessRate: alert.file.orderSuccessRate } : {}),
        ...(alert.message ? { message: alert.message } : {}),
      },
      `alert queued: ${alert.kind}`,
    );
    if (this.mailer === undefined) this.queue.deliverToLog();
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.logger.error({ err: this.scrub(describeError(error)) }, 'cannot record an alert');
    }
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.secrets);
  }
}
