import { closeSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LockHeldError } from '../errors.js';

export interface FolderLock {
  release(): void;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One daemon per checkpoints folder. The lock file holds the owner's pid and is created with
 * `link`, which fails if the name exists, so two daemons starting together cannot both win.
 * A lock whose pid is dead (the daemon was killed) is taken over: restart needs no human.
 */
export function acquireFolderLock(folder: string): FolderLock {
  const lockPath = join(folder, 'daemon.lock');
  const draft = join(folder, `.daemon.lock.${process.pid}`);
  const fd = openSync(draft, 'w', 0o600);
  writeSync(fd, `${process.pid}\n`);
  closeSync(fd);
  try {
    for (let tries = 0; tries < 3; tries += 1) {
      try {
        linkSync(draft, lockPath);
        let released = false;
        return {
          release(): void {
            if (released) return;
            released = true;
            if (readHolder(lockPath) === process.pid) unlinkSync(lockPath);
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readHolder(lockPath);
        if (holder !== undefined && holder !== process.pid && isProcessAlive(holder)) {
          throw new LockHeldError(
            `another imei-daemon (pid ${holder}) is already using the checkpoints folder ${folder}`,
          );
        }
        unlinkSync(lockPath); // stale: its owner is gone
      }
    }
    throw new LockHeldError(`could not take the lock on the checkpoints folder ${folder}`);
  } finally {
    unlinkSync(draft);
  }
}
