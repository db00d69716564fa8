import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import pretty, { type PrettyOptions } from 'pino-pretty';
import roll from 'pino-roll';
import { scrubSecrets } from './secrets.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** JSON lines rotated daily and by size, a week kept; empty = no file. */
  file: string;
  /** Values that must never appear in a log line (API key, SMTP password). */
  secrets: readonly string[];
  /** Also write to stdout (the `start` and `run-once` commands do); readable text when it is a terminal. */
  stdout: boolean;
  /** The least level shown on stdout; the file keeps `level`. Default: `level`. */
  stdoutLevel?: string;
}

/** Key paths pino blanks out wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'provider.apiKey',
  'config.provider.apiKey',
  'pass',
  '*.pass',
  'password',
  '*.password',
  'smtp.pass',
  'alerts.smtp.pass',
  'config.alerts.smtp.pass',
];

/**
 * How the terminal shows log lines: one line each, but a `body` (an alert mail's text, logged
 * when there is nowhere to mail it) as the indented text it is, below its line, rather than as a
 * JSON string full of `\n`. The log file keeps JSON.
 */
export const PRETTY_OPTIONS: PrettyOptions = {
  colorize: true,
  translateTime: 'SYS:HH:MM:ss',
  ignore: 'pid,hostname,body',
  singleLine: true,
  messageFormat: (log, messageKey) => {
    const message = String(log[messageKey] ?? '');
    const body = log.body;
    if (typeof body !== 'string' || body.trim() === '') return message;
    return `${message}\n${body.trimEnd().split('\n').map((line) => (line === '' ? '' : `    ${line}`)).join('\n')}`;
  },
};

/** Replaces every secret in a text; short secrets are left alone so that "1" never blanks a log. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return scrubSecrets(text, secrets.filter((secret) => secret.length >= 4));
}

function redactDeep(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: redactSecrets(value.message, secrets), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactDeep(item, secrets, depth + 1);
  return copy;
}

/**
 * The daemon's logger: pino JSON lines to stdout and to a pino-roll file. Two guards keep
 * secrets out: `redact` for known key paths, and a pass over every string (messages, error
 * texts) for the secret values themselves, because an error message can quote anything.
 */
export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const secrets = options.secrets.filter((secret) => secret.length > 0);
  const streams: pino.StreamEntry[] = [];
  if (options.stdout) {
    const stream = process.stdout.isTTY
      ? pretty(PRETTY_OPTIONS)
      : process.stdout;
    streams.push({ level: (options.stdoutLevel ?? options.level) as pino.Level, stream });
  }
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
    const fileStream = await roll({
      file: options.file,
      frequency: 'daily',
      size: '20m',
      mkdir: true,
      limit: { count: 7 },
      mode: 0o600,
    });
    streams.push({ level: options.level as pino.Level, stream: fileStream });
  }
  return pino(
    {
      // The lowest of the two: each stream filters to its own level.
      level: lowestLevel(options.level, options.stdoutLevel ?? options.level),
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactDeep(object, secrets, 0) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg, secrets) : arg));
          method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    streams.length > 0 ? pino.multistream(streams) : pino.destination('/dev/null'),
  );
}

function lowestLevel(a: string, b: string): string {
  const values = pino.levels.values;
  return (values[a] ?? 30) <= (values[b] ?? 30) ? a : b;
}

/** A logger that writes nothing, for commands and tests that do not want one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
