import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../log.js';
import {
  INBOX_SEARCH_DEPTH,
  classifyInboxPath,
  isTemporaryOrHidden,
  looksLikeDocumentName,
  type InboxEntry,
} from './inbox-paths.js';

export interface InboxWatcherOptions {
  inbox: string;
  /** A file must stop changing this long before it is read (`watch.stabilityMs`). */
  stabilityMs: number;
  /** Poll instead of file events, for network shares (`watch.usePolling`). */
  usePolling: boolean;
  /** Full rescan interval, catching events the watcher missed (`watch.rescanSeconds`). */
  rescanSeconds: number;
}

/**
 * Every candidate in the inbox and its subfolders: files, and anything else that is not a
 * folder to enter (a link, a FIFO, a folder named like a document such as `x.csv`), which intake
 * then refuses by name. Symbolic links are listed, never entered; hidden names are skipped.
 */
export async function listInboxFiles(inbox: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory() && !looksLikeDocumentName(entry.name)) {
        if (depth < INBOX_SEARCH_DEPTH) await walk(path, depth + 1);
      } else {
        found.push(path);
      }
    }
  };
  await walk(inbox, 0);
  return found.sort();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until a file has kept its size and modification time for `stabilityMs`: a file still
 * being copied is never read half-written. Resolves false if the file disappears.
 */
export async function waitUntilStable(path: string, stabilityMs: number, isClosed: () => boolean): Promise<boolean> {
  // lstat: a link is judged as a link (and refused later), never by what it points at.
  let before = await lstat(path).catch(() => undefined);
  while (before && !isClosed()) {
    await sleep(stabilityMs);
    const after = await lstat(path).catch(() => undefined);
    if (!after) return false;
    if (after.size === before.size && after.mtimeMs === before.mtimeMs) return true;
    before = after;
  }
  return false;
}

/** Every file now in the inbox, once each has stopped changing (`run-once`). */
export async function stableInboxEntries(inbox: string, stabilityMs: number): Promise<InboxEntry[]> {
  const entries: InboxEntry[] = [];
  for (const path of await listInboxFiles(inbox)) {
    const verdict = classifyInboxPath(inbox, path);
    if (verdict.kind === 'file') entries.push(verdict.entry);
  }
  const stable = await Promise.all(entries.map((entry) => waitUntilStable(entry.absolutePath, stabilityMs, () => false)));
  return entries.filter((_, index) => stable[index]);
}

/**
 * Watches the inbox and reports each file once it is stable. chokidar gives quick events (with
 * `awaitWriteFinish`); files found by the initial scan or the periodic rescan get our own
 * stability check, since chokidar does not apply `awaitWriteFinish` to those.
 */
export class InboxWatcher {
  private watcher: FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private readonly checking = new Set<string>();
  private closed = false;

  constructor(
    private readonly options: InboxWatcherOptions,
    private readonly logger: Logger,
    private readonly onStableFile: (entry: InboxEntry) => void,
    /** Files the daemon already holds (being read, sent or reported) need no stability check. */
    private readonly isHeld: (relativePath: string) => boolean = () => false,
  ) {}

  async start(): Promise<void> {
    const watcher = watch(this.options.inbox, {
      ignoreInitial: true,
      // Files are read one subfolder deep, and two in `recheck/269/`; deeper files, only refused,
      // are found by the rescan.
      depth: 2,
      followSymlinks: false,
      usePolling: this.options.usePolling,
      interval: 1000,
      awaitWriteFinish: { stabilityThreshold: this.options.stabilityMs, pollInterval: 100 },
      ignored: (path: string) => path !== this.options.inbox && isTemporaryOrHidden(path.split(/[\\/]/).pop() ?? ''),
    });
    watcher.on('add', (path: string) => this.consider(path, false));
    watcher.on('change', (path: string) => this.consider(path, true));
    watcher.on('addDir', (path: string) => {
      if (looksLikeDocumentName(path)) this.consider(path, true);
    });
    watcher.on('error', (error: unknown) => this.logger.warn({ err: error }, 'inbox watcher error'));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.watcher = watcher;
    await this.rescan();
    this.rescanTimer = setInterval(() => void this.rescan(), this.options.rescanSeconds * 1000);
    this.rescanTimer.unref();
  }

  /** Looks at every file in the inbox now; known and busy files are filtered by the receiver. */
  async rescan(): Promise<void> {
    for (const path of await listInboxFiles(this.options.inbox)) this.consider(path, true);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.rescanTimer = undefined;
    await this.watcher?.close();
    this.watcher = undefined;
  }

  private consider(path: string, needsStabilityCheck: boolean): void {
    if (this.closed || this.checking.has(path)) return;
    const verdict = classifyInboxPath(this.options.inbox, path);
    if (verdict.kind === 'ignored' || this.isHeld(verdict.entry.relativePath)) return;
    if (!needsStabilityCheck) {
      this.onStableFile(verdict.entry);
      return;
    }
    this.checking.add(path);
    waitUntilStable(path, this.options.stabilityMs, () => this.closed)
      .then((stable) => {
        if (stable && !this.closed) this.onStableFile(verdict.entry);
      })
      .catch((error: unknown) => this.logger.warn({ file: verdict.entry.relativePath, err: error }, 'cannot watch file'))
      .finally(() => this.checking.delete(path));
  }
}
