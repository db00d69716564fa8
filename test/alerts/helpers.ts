/** A real SMTP server on a local port, a real SQLite store in a temp dir, and a hand-moved clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { AlertCenter, type AlertCenterOptions, type FileSubmittedInput } from '../../src/alerts/index.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';

export interface ReceivedMail {
  raw: string;
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

export interface TestSmtp {
  port: number;
  mails: ReceivedMail[];
  /** Credentials the server saw in AUTH, to show the password was used (and so is not mailed by chance). */
  logins: { user: string; pass: string }[];
  close(): Promise<void>;
}

/** A plain (no TLS) SMTP server that accepts everything; `port` 0 picks a free one. */
export async function startSmtp(port = 0): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const logins: { user: string; pass: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        mails.push({ ...parseMail(raw), to });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return {
    port: address.port,
    mails,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: a server was started there and stopped. */
export async function closedPort(): Promise<number> {
  const smtp = await startSmtp();
  await smtp.close();
  return smtp.port;
}

// --- A small MIME reader: enough for nodemailer's multipart/alternative output. ---

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end).replace(/\r\n(?=[ \t])/g, '');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(end + 4) };
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** `=?UTF-8?Q?...?=` and `=?UTF-8?B?...?=` words, as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function parseMail(raw: string): Omit<ReceivedMail, 'to'> {
  const { headers, body } = splitHeaders(raw);
  const parts = { text: '', html: '' };
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  const sections = boundary ? body.split(`--${boundary}`).slice(1, -1) : [raw];
  for (const section of sections) {
    const part = splitHeaders(section.replace(/^\r\n/, ''));
    const decoded = decodeBody(part.headers, part.body.replace(/\r\n$/, ''));
    const type = part.headers.get('content-type') ?? '';
    if (type.startsWith('text/plain')) parts.text = decoded;
    if (type.startsWith('text/html')) parts.html = decoded;
  }
  return {
    raw,
    from: headers.get('from') ?? '',
    subject: decodeWords(headers.get('subject') ?? ''),
    messageId: headers.get('message-id') ?? '',
    ...parts,
  };
}

// --- Store, clock and centre ---

export interface TempDatabase {
  path: string;
  open(): Store;
  remove(): void;
}

export function tempDatabase(): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'imei-alerts-'));
  const path = join(dir, 'imei-daemon.sqlite');
  return { path, open: () => new Store(openDatabase(path)), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock the test moves by hand: the interval passes without waiting. */
export class ManualClock {
  private time = Date.parse('2026-03-02T09:00:00.000Z');
  readonly now = (): Date => new Date(this.time);
  advanceMinutes(minutes: number): void {
    this.time += minutes * 60_000;
  }
}

export function centreOptions(port: number, clock: ManualClock, overrides: Partial<AlertCenterOptions> = {}): AlertCenterOptions {
  return {
    threshold: 0.8,
    to: ['ops@example.com'],
    from: 'imei-daemon@example.com',
    smtp: { host: '127.0.0.1', port, secure: false, user: '', pass: '' },
    minIntervalMinutes: 60,
    now: clock.now,
    smtpTimeoutMs: 2000,
    ...overrides,
  };
}

export function openCentre(store: Store, options: AlertCenterOptions): AlertCenter {
  return new AlertCenter(store.alerts, options, silentLogger());
}

let nextFileId = 1;

/** A finished file: `rate` of its `rows` accepted, the rest failed. */
export function fileOutcome(file: string, rate: number, rows = 100, topErrors: string[] = []): FileSubmittedInput {
  const accepted = Math.round(rows * rate);
  return { fileId: nextFileId++, file, rows, accepted, failed: rows - accepted, successRate: rate, topErrors };
}

/** Polls until `check` holds; for the timer's work, which happens on its own schedule. */
export async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
