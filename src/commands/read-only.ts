import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/load.js';
import { openDatabase, type Db } from '../store/db.js';

/**
 * The commands that only read the store: they open it read-only, so they work while the daemon
 * runs (WAL lets readers in) and when it is stopped, and never take the daemon's lock.
 */
export function openStoreReadOnly(config: ResolvedConfig): Db | undefined {
  const path = join(config.paths.checkpoints, 'imei-daemon.sqlite');
  return existsSync(path) ? openDatabase(path, { readonly: true }) : undefined;
}

/** Set once the reader of stdout has gone (`status | head -3`): nothing more is written. */
let stdoutClosed = false;

export function print(text: string): void {
  if (!stdoutClosed) process.stdout.write(`${text}\n`);
}

/**
 * A reader that stops reading (`head`, a pager quit early) closes the pipe, and the next write
 * fails with EPIPE, which Node raises as an unhandled 'error' event: a stack trace for something
 * the user did on purpose. Taken here: the command finishes without writing more; a daemon
 * logging to that pipe goes on working (its log file still gets every line).
 */
export function tolerateClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    const first = !stdoutClosed;
    stdoutClosed = true;
    if (first && error.code !== 'EPIPE') process.stderr.write(`imei-daemon: cannot write to standard output: ${error.message}\n`);
  });
}
