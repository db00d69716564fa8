import type { FileFacts } from '../store/alert-transitions.js';

/** SMTP settings, as in the configuration's `alerts.smtp`. */
export interface SmtpOptions {
  /** Empty: no mail; alerts go to the log only. */
  host: string;
  /** Default 587. */
  port: number;
  /** `true`: implicit TLS (port 465). `false`: STARTTLS when the server offers it. Default false. */
  secure: boolean;
  /** Empty: no authentication. */
  user: string;
  pass: string;
}

/**
 * How one file's submission ended, as the daemon reports it to `AlertCenter.fileSubmitted` (its
 * summary's counts): the facts an alert keeps, and the counts its judgement needs. Counts not
 * given are 0.
 */
export type FileSubmittedInput = Omit<FileFacts, 'toOrder' | 'orderSuccessRate'> & {
  duplicates?: number;
  invalid?: number;
  unconfirmed?: number;
  unknown?: number;
};

export interface AlertCenterOptions {
  /** Alert when a file's success rate is below this (0..1). Default 0.8. */
  threshold: number;
  /** Recipients; empty means alerts go to the log only. Default []. */
  to: string[];
  /** Sender; empty means `smtp.user` when it is an address, else `imei-daemon@<hostname>`. Default "". */
  from: string;
  smtp: SmtpOptions;
  /** At most one mail per this many minutes; what queues meanwhile goes into the next. Default 60. */
  minIntervalMinutes: number;
  /**
   * Values that must never appear in a mail, a log line or the database (the API key); the SMTP
   * password is always added. Default [].
   */
  secrets?: string[];
  /** The clock; injectable so tests can pass the interval without waiting. Default `() => new Date()`. */
  now?: () => Date;
  /** How often the timer looks for a mail that is due. Default 5000 ms. */
  checkEveryMs?: number;
  /** SMTP connection, greeting and socket timeouts. Default 10000 ms. */
  smtpTimeoutMs?: number;
}
