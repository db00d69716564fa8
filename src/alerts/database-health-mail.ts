import { dirname } from 'node:path';
import type { ComposedMail, ComposeOptions } from './compose.js';
import { MAX_SUBJECT, SUBJECT_PREFIX, renderHtml, renderText, type Section } from './compose.js';
import { formatTime, oneLine, scrubSecrets } from './format.js';

/** Why the database refused a write, in plain words and with the code an administrator looks up. */
export interface WriteRefusal {
  /** `SQLITE_FULL`, `SQLITE_READONLY`, `ENOSPC`...; `unknown` when the error had none. */
  code: string;
  /** What it means for staff, e.g. `the disk is full`. */
  words: string;
  /** For the subject line: `disk full`, `read-only`, or the code. */
  short: string;
  kind: 'full' | 'read-only' | 'other';
}

/** One spell of refused writes: `until` is set once a write worked again. */
export interface OutageFacts {
  since: Date;
  until: Date | undefined;
  refusal: WriteRefusal;
  /** Free space on the database's disk when the spell began, when it could be read. */
  freeBytes: number | undefined;
}

export interface DatabaseMailInput {
  /** The database file. */
  path: string;
  /** The spell going on now, when this mail announces it. */
  current: OutageFacts | undefined;
  /** Spells that ended since the last mail (and, for a recovery, the one it closes). */
  ended: readonly OutageFacts[];
}

const MAX_DETAIL = 200;

/**
 * What a thrown value says about the database's ability to write, or undefined when it says
 * nothing: SQLITE_BUSY and SQLITE_LOCKED mean another connection (the `retry` command) held the
 * lock for longer than the busy timeout; the next write will tell.
 */
export function describeWriteRefusal(error: unknown): WriteRefusal | undefined {
  const raw = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const code = typeof raw === 'string' && raw.length > 0 ? raw : 'unknown';
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return undefined;
  const refusal = (words: string, short: string, kind: WriteRefusal['kind']): WriteRefusal => ({ code, words, short, kind });
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return refusal('the disk is full', 'disk full', 'full');
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return refusal('the database or its disk is read-only', 'read-only', 'read-only');
  }
  if (code.startsWith('SQLITE_PERM') || code === 'EACCES' || code === 'EPERM') {
    return refusal('the daemon is not allowed to write the database file', 'permission denied', 'read-only');
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return refusal('the disk reported an input/output error', 'I/O error', 'other');
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return refusal('the database file is damaged', code, 'other');
  if (code.startsWith('SQLITE_CANTOPEN')) return refusal('the database file cannot be opened', code, 'other');
  const message = error instanceof Error ? error.message : String(error);
  return refusal(`the database refused the write: ${oneLine(message, MAX_DETAIL)}`, code, 'other');
}

/** `1536 -> "1.5 KB"`; the mail's reader wants a size, not a byte count. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `95_000 -> "2 min"`: how long a spell lasted, rounded for people. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(Math.round(ms / 1000), 0);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}

function reason(outage: OutageFacts): string {
  const free = outage.refusal.kind === 'full' && outage.freeBytes !== undefined ? `, ${formatBytes(outage.freeBytes)} free` : '';
  return `${outage.refusal.words} (${outage.refusal.code}${free})`;
}

function spell(outage: OutageFacts): string {
  const until = outage.until ?? outage.since;
  return `from ${formatTime(outage.since.toISOString())} to ${formatTime(until.toISOString())} (${formatDuration(until.getTime() - outage.since.getTime())}): ${reason(outage)}`;
}

function advice(refusal: WriteRefusal, folder: string): string[] {
  const fix =
    refusal.kind === 'full'
      ? `Free space on the disk that holds ${folder}. Do not delete anything inside that folder: it is the daemon's memory of every order.`
      : refusal.kind === 'read-only'
        ? `Make ${folder} and the files in it writable for the user the daemon runs as (or remount its disk read-write).`
        : `Check the disk that holds ${folder}, and the daemon's log for the exact error.`;
  return [fix, 'No restart is needed: the daemon carries on by itself once it can write again, and a mail says so.'];
}

/**
 * The mail about the checkpoints database: an alert while writes are refused (naming earlier
 * spells since the last mail), or, once they work again, the recovery. Pure; built from our
 * own words, an error code and a path, and still scrubbed of secrets like every alert mail.
 */
export function composeDatabaseMail(input: DatabaseMailInput, options: ComposeOptions): ComposedMail {
  const clean = (text: string): string => scrubSecrets(text, options.secrets);
  const folder = dirname(input.path);
  const earlier = input.ended.map((outage) => `  - ${spell(outage)}`);
  let headline: string;
  let section: Section;
  if (input.current) {
    const { current } = input;
    headline = `checkpoints database cannot be written (${current.refusal.short})`;
    section = {
      headline,
      heading: 'The checkpoints database cannot be written',
      lines: [
        `Since ${formatTime(current.since.toISOString())} the daemon cannot write its database ${input.path}: ${reason(current)}.`,
        'Nothing is lost: what is already recorded stays on disk, answers the provider gave are kept in memory and written once the database accepts them, and new files wait in the inbox. The daemon waits and carries on by itself.',
        ...(earlier.length > 0 ? ['Writes were also refused earlier, since the last mail:', ...earlier] : []),
      ],
      files: [],
      advice: advice(current.refusal, folder),
    };
  } else {
    const only = input.ended.length === 1 ? input.ended[0] : undefined;
    const lasted = only?.until
      ? ` after ${formatDuration(only.until.getTime() - only.since.getTime())}`
      : ` (${input.ended.length} spells since the last mail)`;
    headline = `recovered: checkpoints database can be written again${lasted}`;
    section = {
      headline,
      heading: 'Recovered: the checkpoints database can be written again',
      lines: [
        `The daemon could not write its database ${input.path}:`,
        ...earlier,
        'Writes work again and the daemon carries on by itself: what it held in memory is written, and files that waited in the inbox are read on its next pass.',
      ],
      files: [],
      advice: [],
    };
  }
  const subject = oneLine(SUBJECT_PREFIX + headline, MAX_SUBJECT);
  return { subject: clean(subject), text: clean(renderText([section])), html: clean(renderHtml(subject, [section])) };
}
