/**
 * What the open pages are told, and when. A file's progress is read again when the daemon says
 * it changed (`file-changed` events: intake, replies, results), a tenth of a second later so a
 * burst of replies is read once; and every second anyway while a page is open, which catches a
 * file that started being read (no event says so until it is read). Nothing is read while no
 * page is open. Each message goes out only when its content changed, whatever the number of
 * pages: the reads are shared, so twenty pages cost what one does.
 */
import { DatabaseUnreadableError } from '../errors.js';
import type { Db } from '../store/db.js';
import { sseMessage, type LiveClients } from './sse.js';
import { fileProgress, fileRecord, filesInFlight, type FileProgress, type FileRecordRow } from './queries/now.js';
import { withResultCount } from './queries/file-counts.js';
import type { NowStatus } from './now-status.js';

export interface LiveFeedDeps {
  read: <T>(query: (db: Db) => T) => T;
  clients: LiveClients;
  status: (db: Db) => NowStatus;
}

/** After an event, the read waits this long for the rest of a burst. */
const DEBOUNCE_MS = 100;
const SWEEP_MS = 1000;
/** Status (open orders, calls, alerts) is read at most this often. */
const STATUS_MS = 2000;
/** Results arrive in poll rounds; "with result" (a join over every ordered row) is read this often, or when results came. */
const WITH_RESULT_MS = 10_000;
/**
 * A read is followed by at least this many times its own length of rest: the feed takes a fifth
 * of a core at most, even for a file of a million rows, whose counts take a tenth of a second.
 */
const REST_FACTOR = 4;

export class LiveFeed {
  /** Files in flight at the last read, with the JSON last sent for each. */
  private readonly sent = new Map<number, string>();
  /** Files whose submission moved since the last read (not only their results): a file read, sent
   * and reported between two reads still gets its final message. */
  private readonly touched = new Set<number>();
  private readonly withResult = new Map<number, { at: number; n: number }>();
  private lastStatus = '';
  private lastStatusAt = 0;
  private lastUnavailable = '';
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private lastReadMs = 0;
  private stopped = false;

  constructor(private readonly deps: LiveFeedDeps) {
    deps.clients.onChange = () => this.schedule(0);
  }

  /** The daemon says these files changed; `results`: their orders' results too. */
  filesChanged(fileIds: readonly number[], resultsChanged: boolean): void {
    for (const id of fileIds) {
      if (resultsChanged) this.withResult.delete(id);
      else this.touched.add(id);
    }
    this.schedule(DEBOUNCE_MS);
  }

  /** A call ended: the calls budget and provider state change; shown with the next status read. */
  callEnded(): void {
    this.schedule(DEBOUNCE_MS * 5);
  }

  /** What a page that just connected is sent first: the status and every file in flight. */
  initialMessages(): string[] {
    return this.deps.read((db) => {
      const files = filesInFlight(db).map((file) => this.progress(db, file, Date.now()));
      return [sseMessage(this.deps.status(db), 'status'), ...files.map((file) => sseMessage({ type: 'file', file }))];
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.deps.clients.size === 0) return;
    const due = Date.now() + Math.max(delayMs, this.lastReadMs * REST_FACTOR);
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.tick(), due - Date.now());
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped || this.deps.clients.size === 0) return;
    const started = performance.now();
    try {
      this.deps.read((db) => this.readAndSend(db));
      this.lastUnavailable = '';
    } catch (error) {
      if (!(error instanceof DatabaseUnreadableError)) throw error;
      if (error.message !== this.lastUnavailable) {
        this.lastUnavailable = error.message;
        this.deps.clients.broadcast(sseMessage({ message: error.message }, 'unavailable'));
      }
    }
    this.lastReadMs = performance.now() - started;
    this.schedule(SWEEP_MS);
  }

  private readAndSend(db: Db): void {
    const now = Date.now();
    const inFlight = filesInFlight(db);
    const current = new Set(inFlight.map((file) => file.id));
    for (const file of inFlight) this.send(this.progress(db, file, now));
    // Files that left the flight since the last read: their final counts, once.
    for (const id of new Set([...this.sent.keys(), ...this.touched])) {
      if (current.has(id)) continue;
      const record = fileRecord(db, id);
      this.withResult.delete(id);
      if (record) this.send(this.progress(db, record, now));
      this.sent.delete(id);
    }
    this.touched.clear();
    if (now - this.lastStatusAt >= STATUS_MS) {
      this.lastStatusAt = now;
      const status = JSON.stringify(this.deps.status(db));
      if (status !== this.lastStatus) {
        this.lastStatus = status;
        this.deps.clients.broadcast(`event: status\ndata: ${status}\n\n`);
      }
    }
  }

  private send(progress: FileProgress): void {
    const json = JSON.stringify(progress);
    if (this.sent.get(progress.id) === json) return;
    // A done file is forgotten right after; it must not be re-sent as "changed" from nothing.
    if (progress.state !== 'done') this.sent.set(progress.id, json);
    this.deps.clients.broadcast(sseMessage({ type: 'file', file: progress }));
  }

  private progress(db: Db, file: FileRecordRow, now: number): FileProgress {
    const cached = this.withResult.get(file.id);
    let n = cached?.n ?? 0;
    if (!cached || now - cached.at >= WITH_RESULT_MS || file.state === 'done') {
      n = withResultCount(db, file.id);
      this.withResult.set(file.id, { at: now, n });
    }
    return fileProgress(db, file, n, now);
  }
}
