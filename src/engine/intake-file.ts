import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { Stats } from 'node:fs';
import { FileRejectedError, StoppingError, describeError } from '../errors.js';
import { formatSize, hashFile, inThreadRowReader, type RowReader } from '../intake/index.js';
import type { Logger } from '../log.js';
import type { IntakeCounts, UnfinishedRead } from '../store/intake-transitions.js';
import type { Store } from '../store/store.js';
import type { InboxEntry } from '../watch/inbox-paths.js';

export interface IntakeOptions {
  batchSize: number;
  defaultServiceId: string;
  maxFileBytes: number;
  /** Rows stored (and cut into batches) per transaction. Default ROWS_PER_CHUNK (250). */
  rowsPerChunk?: number;
  /** Reads, parses and checks the file. Default: on the calling thread; the daemon reads in a thread of its own. */
  reader?: RowReader;
}

export interface IntakeOutcome {
  fileId: number;
  counts: IntakeCounts | undefined;
  error: string | undefined;
}

/**
 * Rows written per transaction. Small, because the main thread stores them while replies wait
 * to be read: at 20k rows and 200 ms, 250 beat 1,000 by 0.1-0.2 s in every paired run of
 * `npm run bench -- --scenario 20k-200ms`, and the transaction per chunk costs little.
 */
export const ROWS_PER_CHUNK = 250;

/** Why a path in the inbox cannot be read as a file at all, or undefined when it can. */
export function unreadableKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  // Never followed: a link could point anywhere on the machine (another user's files, /dev/zero).
  if (stats.isSymbolicLink()) return 'a symbolic link, which the daemon never follows: copy the file itself into the inbox';
  if (stats.isDirectory()) return 'a folder named like a file, not a file';
  if (stats.isFIFO()) return 'a named pipe (FIFO), not a file';
  return 'not a regular file (a socket or device)';
}

export interface IntakeHooks {
  /** Batches were planned while the file is still being read: they can be sent now. */
  onBatchesPlanned?: () => void;
  /** Checked between chunks: true stops the read, which is picked up again at the next start. */
  shouldStop?: () => boolean;
}

/**
 * Reads one stable inbox file into the store: the file as `reading`, its rows in chunks (each
 * checked and cut into full batches that are sent at once, so the provider works while the rest
 * is read), then `finishIntake`. A read that stopped half-way (a crash, a stop, an I/O error)
 * is picked up after its last stored line when the same bytes are still there. A file refused
 * whole is recorded with its error; one that breaks half-way keeps the rows read before.
 */
export async function intakeFile(
  store: Store,
  entry: InboxEntry,
  options: IntakeOptions,
  logger: Logger,
  hooks: IntakeHooks = {},
): Promise<IntakeOutcome> {
  const stats = await lstat(entry.absolutePath);
  const size = stats.size;
  const now = new Date().toISOString();
  // Not a file, or not a kind the daemon reads (an .ods, a file too deep): refused unread.
  const notAFile = unreadableKind(stats) ?? entry.refusal;
  const oversized = size > options.maxFileBytes;
  // Refused unread: hashing an oversized file would be reading it, and opening a FIFO blocks.
  const sha256 = oversized || notAFile ? '' : await hashFile(entry.absolutePath);
  const log = logger.child({ file: entry.relativePath });

  let unfinished = store.intake.unfinishedRead(entry.relativePath);
  if (unfinished && !unfinished.sent) {
    // Nothing of it was sent: reading it again from the start is simplest and exact.
    store.intake.discardRead(unfinished.fileId);
    unfinished = undefined;
  }
  if (unfinished && unfinished.sha256 !== sha256) {
    // Other bytes under the name: the rows read (and sent) are reported; the new file is read
    // as a new file once this one is done (the finisher leaves it in the inbox).
    const change = sha256 === '' ? 'can no longer be read as it was (too large, or not a file)' : 'was replaced while it was being read';
    const { counts, error } = finishReadInPart(store, unfinished, change, options.batchSize);
    log.warn({ ...counts, err: error }, 'file read in part');
    return { fileId: unfinished.fileId, counts, error };
  }
  // A recheck orders again on purpose: the same bytes dropped before are no reason not to.
  const recheck = entry.recheck === true;
  const repeatOf = unfinished || !sha256 || recheck ? undefined : store.intake.findEarlierFileWithHash(sha256);
  const fileId =
    unfinished?.fileId ??
    store.intake.createFile({ inboxPath: entry.relativePath, sha256, size, folderServiceId: entry.folderServiceId, now, repeatOf, recheck });
  const resumeAfterLine = unfinished?.lastLine ?? 0;
  if (unfinished) log.info({ afterLine: resumeAfterLine }, 'resuming a file read in part before');

  let stored = resumeAfterLine > 0;
  try {
    if (notAFile) throw new FileRejectedError(notAFile);
    if (oversized) {
      throw new FileRejectedError(
        `file is ${formatSize(size)}, over the ${formatSize(options.maxFileBytes)} limit (limits.maxFileBytes)`,
      );
    }
    const reader = options.reader ?? inThreadRowReader;
    const chunks = reader.read(entry.absolutePath, {
      maxFileBytes: options.maxFileBytes,
      fallbackServiceId: entry.folderServiceId ?? options.defaultServiceId,
      afterLine: resumeAfterLine,
      rowsPerChunk: options.rowsPerChunk ?? ROWS_PER_CHUNK,
    }, { onInputColumns: (names) => store.intake.setInputColumns(fileId, names) });
    for await (const rows of chunks) {
      const planned = store.intake.appendRows(fileId, rows, now, options.batchSize);
      stored = true;
      if (planned > 0) hooks.onBatchesPlanned?.();
      if (hooks.shouldStop?.() === true) throw new StoppingError();
      // Chunks can arrive faster than calls leave: let the calls just planned connect and
      // leave, and replies be read, before the next chunk.
      await setImmediatePromise();
    }
    const counts = store.intake.finishIntake(fileId, options.batchSize, new Date().toISOString());
    log.info({ ...counts, repeatOf }, 'file read');
    return { fileId, counts, error: undefined };
  } catch (error) {
    // A stop or an I/O error (not the file's fault): the file stays `reading` and the next
    // read picks it up (or starts it again when nothing was sent).
    if (!(error instanceof FileRejectedError)) throw error;
    const message = describeError(error);
    if (!stored) {
      store.intake.rejectFile(fileId, message, new Date().toISOString());
      log.warn({ err: message }, 'file refused');
      return { fileId, counts: undefined, error: message };
    }
    // Broken half-way (quoting): the rows before the break are stored and may be ordered already.
    const partial = `${message}; the rows before it were read and sent, the rest of the file was not read`;
    const counts = store.intake.finishIntake(fileId, options.batchSize, new Date().toISOString(), partial);
    log.warn({ ...counts, err: partial }, 'file read in part');
    return { fileId, counts, error: partial };
  }
}

/**
 * Finishes a half-read file that cannot be picked up, with the rows it stored (some may be
 * ordered already). `what` says what became of the file; the error names the last line read.
 */
export function finishReadInPart(
  store: Store,
  read: UnfinishedRead,
  what: string,
  batchSize: number,
): { counts: IntakeCounts; error: string } {
  const error = `the file ${what}: rows after line ${read.lastLine} were not read`;
  return { counts: store.intake.finishIntake(read.fileId, batchSize, new Date().toISOString(), error), error };
}

export interface UnfinishedReadsOutcome {
  /** Nothing of them was sent: forgotten, and read again from the start if still in the inbox. */
  discarded: number;
  /** Rows were sent but the file left the inbox: finished with the rows that were read. */
  finishedInPart: number;
  /** Left `reading`: intake picks them up after their last stored row. */
  toResume: number;
}

/**
 * At start: decides what becomes of reads a stop or a crash left unfinished. Rows that may
 * have been ordered are never dropped.
 */
export async function settleUnfinishedReads(store: Store, inboxDir: string, batchSize: number): Promise<UnfinishedReadsOutcome> {
  const outcome: UnfinishedReadsOutcome = { discarded: 0, finishedInPart: 0, toResume: 0 };
  for (const read of store.intake.unfinishedReads()) {
    if (!read.sent) {
      store.intake.discardRead(read.fileId);
      outcome.discarded += 1;
      continue;
    }
    const stats = await lstat(join(inboxDir, read.inboxPath)).catch(() => undefined);
    if (stats?.isFile() === true) {
      outcome.toResume += 1;
      continue;
    }
    finishReadInPart(store, read, 'left the inbox before it was read to its end', batchSize);
    outcome.finishedInPart += 1;
  }
  return outcome;
}
