import { lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { FileRejectedError, describeError } from '../errors.js';
import { checkImei, formatSize, hashFile, readInputRows } from '../intake/index.js';
import type { Logger } from '../log.js';
import type { IntakeCounts, NewRow } from '../store/intake-transitions.js';
import type { Store } from '../store/store.js';
import type { InboxEntry } from '../watch/inbox-paths.js';

export interface IntakeOptions {
  batchSize: number;
  defaultServiceId: string;
  maxFileBytes: number;
}

export interface IntakeOutcome {
  fileId: number;
  counts: IntakeCounts | undefined;
  error: string | undefined;
}

/** Rows written per transaction: big enough to be fast, small enough to keep memory flat. */
const ROWS_PER_CHUNK = 2000;

const SERVICE_ID = /^\d{1,10}$/;

/** Why a path in the inbox cannot be read as a file at all, or undefined when it can. */
export function unreadableKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  // Never followed: a link could point anywhere on the machine (another user's files, /dev/zero).
  if (stats.isSymbolicLink()) return 'a symbolic link, which the daemon never follows: copy the file itself into the inbox';
  if (stats.isDirectory()) return 'a folder named like a file, not a file';
  if (stats.isFIFO()) return 'a named pipe (FIFO), not a file';
  return 'not a regular file (a socket or device)';
}

/** Decides one input row: its service, its normalised IMEI or the reason it is invalid. */
export function decideRow(
  line: number,
  rawImei: string,
  rowServiceId: string | null,
  fallbackServiceId: string,
): NewRow {
  if (rowServiceId !== null && !SERVICE_ID.test(rowServiceId)) {
    return { line, rawImei, imei: null, serviceId: rowServiceId, note: `service "${rowServiceId}" is not a service id (a number such as 1739)` };
  }
  const serviceId = rowServiceId ?? fallbackServiceId;
  const check = checkImei(rawImei);
  return check.ok
    ? { line, rawImei, imei: check.imei, serviceId, note: '' }
    : { line, rawImei, imei: null, serviceId, note: check.reason };
}

/**
 * Reads one stable inbox file into the store: the file as `reading`, its rows in chunks, then
 * `finishIntake` in one transaction. From then on the database is the truth and the file in
 * the inbox is only waiting to be moved. A file refused whole is recorded with its error.
 */
export async function intakeFile(
  store: Store,
  entry: InboxEntry,
  options: IntakeOptions,
  logger: Logger,
): Promise<IntakeOutcome> {
  const stats = await lstat(entry.absolutePath);
  const size = stats.size;
  const now = new Date().toISOString();
  const notAFile = unreadableKind(stats);
  const oversized = size > options.maxFileBytes;
  // Refused unread: hashing an oversized file would be reading it, and opening a FIFO blocks.
  const sha256 = oversized || notAFile ? '' : await hashFile(entry.absolutePath);
  const fileId = store.intake.createFile({
    inboxPath: entry.relativePath,
    sha256,
    size,
    folderServiceId: entry.folderServiceId,
    now,
  });
  const log = logger.child({ file: entry.relativePath });
  try {
    if (notAFile) throw new FileRejectedError(notAFile);
    if (oversized) {
      throw new FileRejectedError(
        `file is ${formatSize(size)}, over the ${formatSize(options.maxFileBytes)} limit (limits.maxFileBytes)`,
      );
    }
    const repeatOf = store.intake.findEarlierFileWithHash(sha256, fileId);
    const fallbackServiceId = entry.folderServiceId ?? options.defaultServiceId;
    let chunk: NewRow[] = [];
    for await (const row of readInputRows(entry.absolutePath, { maxFileBytes: options.maxFileBytes })) {
      chunk.push(decideRow(row.line, row.rawImei, row.serviceId, fallbackServiceId));
      if (chunk.length >= ROWS_PER_CHUNK) {
        store.intake.appendRows(fileId, chunk, now);
        chunk = [];
      }
    }
    if (chunk.length > 0) store.intake.appendRows(fileId, chunk, now);
    const counts = store.intake.finishIntake(fileId, options.batchSize, repeatOf, new Date().toISOString());
    log.info({ ...counts, repeatOf }, 'file read');
    return { fileId, counts, error: undefined };
  } catch (error) {
    if (!(error instanceof FileRejectedError)) {
      // Not the file's fault (an I/O error, say): forget this read, the file is tried again later.
      store.intake.discardRead(fileId);
      throw error;
    }
    const message = describeError(error);
    store.intake.rejectFile(fileId, message, new Date().toISOString());
    log.warn({ err: message }, 'file refused');
    return { fileId, counts: undefined, error: message };
  }
}
