import { hostname } from 'node:os';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { SmtpOptions } from './types.js';

export interface OutgoingMail {
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** Ours, recorded before sending: a resend after a crash carries the same one. */
  messageId: string;
}

export interface SentMail {
  messageId: string;
  /** Recipients the server refused while accepting the others. */
  rejected: string[];
}

/** Sends one mail; rejects when no recipient accepted it. */
export interface Mailer {
  readonly from: string;
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

export interface SmtpMailerOptions {
  smtp: SmtpOptions;
  /** Empty: `smtp.user` when it is an address, else `imei-daemon@<hostname>`. */
  from: string;
  /** Connection, greeting and socket timeouts, so a dead server never holds the daemon. Default 10000. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** The sender address: the configured one, or one the server is likely to accept. */
export function senderAddress(from: string, user: string): string {
  if (from) return from;
  if (user.includes('@')) return user;
  return `imei-daemon@${hostname()}`;
}

/**
 * A nodemailer SMTP transport built from `alerts.smtp`. `secure: true` is implicit TLS (465);
 * otherwise STARTTLS is used when the server offers it. It is demanded when we log in to a
 * server off this machine, so a stripped STARTTLS can never send the password in clear; a plain
 * relay without login still works. Authentication only with a user.
 */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const { smtp } = options;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transportOptions: SMTPTransport.Options = {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.user !== '' && !isLoopbackHost(smtp.host),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // Mail content is ours: nodemailer must never read a file or URL it names.
    disableFileAccess: true,
    disableUrlAccess: true,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass } } : {}),
  };
  const transport = nodemailer.createTransport(transportOptions);
  const from = senderAddress(options.from, smtp.user);
  return {
    from,
    async send(mail: OutgoingMail): Promise<SentMail> {
      const info = await transport.sendMail({
        from,
        to: [...mail.to],
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
      const rejected = info.rejected.map((address) => (typeof address === 'string' ? address : address.address));
      return { messageId: info.messageId || mail.messageId, rejected };
    },
    close(): void {
      transport.close();
    },
  };
}
