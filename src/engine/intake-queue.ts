import { StoppingError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { InboxEntry } from '../watch/inbox-paths.js';
import { finishReadInPart, intakeFile, type IntakeOptions, type IntakeOutcome } from './intake-file.js';

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;
/** Failed re-reads of a half-read file whose rows were sent before it is finished in part. */
const MAX_FAILURES_OF_A_SENT_READ = 3;

/**
 * Reads stable inbox files into the store one at a time: reading is cheap next to the provider,
 * and one at a time keeps memory flat. A file the daemon cannot read (permissions, I/O) is
 * retried with back-off, not on every rescan.
 */
export class IntakeQueue {
  /** Inbox paths queued or being read. */
  private readonly reading = new Set<string>();
  /** Inbox paths that could not be read, with when to try again. */
  private readonly unreadable = new Map<string, { failures: number; retryAt: number; error: string }>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: IntakeOptions,
    private readonly logger: Logger,
    private readonly onRead: (outcome: IntakeOutcome) => void,
    /** Batches were planned while a file is still being read. */
    private readonly onBatchesPlanned: () => void = () => undefined,
  ) {}

  /** Whether the daemon already holds this path (queued, being read or sent), or waits to retry it. */
  isHeld(relativePath: string): boolean {
    const unreadable = this.unreadable.get(relativePath);
    if (unreadable && Date.now() < unreadable.retryAt) return true;
    if (this.reading.has(relativePath)) return true;
    // A read left unfinished (a stop, an I/O error) is not held: taking the file again resumes it.
    const active = this.store.activeFileAt(relativePath);
    return active !== undefined && active.state !== 'reading';
  }

  get busy(): boolean {
    return this.reading.size > 0;
  }

  /** Paths that could not be read, with the last reason. */
  unreadableFiles(): { file: string; error: string }[] {
    return [...this.unreadable].map(([file, state]) => ({ file, error: state.error }));
  }

  enqueue(entry: InboxEntry): void {
    if (this.closed || this.isHeld(entry.relativePath)) return;
    this.reading.add(entry.relativePath);
    this.chain = this.chain.then(() => this.read(entry));
  }

  /** Resolves when everything queued so far has been read. */
  drain(): Promise<void> {
    return this.chain;
  }

  /** Takes nothing more; the read in progress stops at its next chunk. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
  }

  private async read(entry: InboxEntry): Promise<void> {
    try {
      if (this.closed) return;
      const outcome = await intakeFile(this.store, entry, this.options, this.logger, {
        onBatchesPlanned: this.onBatchesPlanned,
        shouldStop: () => this.closed,
      });
      this.unreadable.delete(entry.relativePath);
      this.onRead(outcome);
    } catch (error) {
      if (error instanceof StoppingError) return; // picked up after its last stored row at the next start
      // Not the file's content but our access to it: back off instead of retrying on every rescan.
      const failures = (this.unreadable.get(entry.relativePath)?.failures ?? 0) + 1;
      const message = describeError(error);
      const gone = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if ((gone || failures >= MAX_FAILURES_OF_A_SENT_READ) && this.finishSentReadInPart(entry, message)) {
        this.unreadable.delete(entry.relativePath);
        return;
      }
      const delayMs = Math.min(RETRY_BASE_MS * 2 ** (failures - 1), RETRY_MAX_MS);
      this.unreadable.set(entry.relativePath, { failures, retryAt: Date.now() + delayMs, error: message });
      this.logger.error({ file: entry.relativePath, err: message, retryInMs: delayMs }, 'cannot read file; will try again');
    } finally {
      this.reading.delete(entry.relativePath);
    }
  }

  /**
   * A read cut half-way whose rows were already sent, and which cannot be picked up (the file
   * is gone, or keeps failing): finished with the rows read, so those get their report and the
   * short batches left are sent. Nothing sent: false, and the read is simply tried again.
   */
  private finishSentReadInPart(entry: InboxEntry, reason: string): boolean {
    const read = this.store.intake.unfinishedRead(entry.relativePath);
    if (!read?.sent) return false;
    const { counts, error } = finishReadInPart(this.store, read, `could not be read to its end (${reason})`, this.options.batchSize);
    this.logger.warn({ file: entry.relativePath, ...counts, err: error }, 'file read in part');
    this.onRead({ fileId: read.fileId, counts, error });
    return true;
  }
}
