/**
 * Replace a file so that a reader sees the old content or the new, never half of either: write a
 * temporary file in the same folder (rename is only atomic within one file system), fsync it,
 * rename it over the target, then fsync the folder so the rename itself survives a power cut.
 * On failure the temporary file is removed and the target is left as it was.
 */

import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * `.NAME.tmp-PID-RANDOM` (then `kind`, e.g. `.draft`): hidden, and unique across processes and
 * concurrent writers.
 */
export function temporaryPathFor(path: string, kind = ''): string {
  const suffix = `${process.pid}-${randomBytes(6).toString('hex')}`;
  return join(dirname(path), `.${basename(path)}.tmp-${suffix}${kind}`);
}

const TEMPORARY_NAME = /^\..+\.tmp-\d+-[0-9a-f]{12}(\.[a-z]+)?$/;

/** Whether a file name is one `temporaryPathFor` gives. */
export function isTemporaryName(name: string): boolean {
  return TEMPORARY_NAME.test(name);
}

/**
 * Runs `write` against a fresh temporary file, then makes it the content of `path`. `write` must
 * not close the handle; this function owns it.
 */
export async function writeFileAtomic<T>(
  path: string,
  write: (handle: FileHandle) => Promise<T>,
): Promise<T> {
  const temporaryPath = temporaryPathFor(path);
  // `wx`: never reuse or follow something already at the temporary name.
  const handle = await open(temporaryPath, 'wx');
  let result: T;
  try {
    result = await write(handle);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporaryPath, { force: true });
    throw error;
  }
  try {
    await handle.close();
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
  return result;
}

/** `value` as indented JSON with a final newline, replaced atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  await writeFileAtomic(path, async (handle) => {
    await handle.writeFile(text, 'utf8');
  });
}

/**
 * Makes a rename in `folder` durable. Some platforms (Windows) cannot open or fsync a folder;
 * there the rename is as durable as the platform allows, so the error is not the caller's.
 */
export async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Best effort, see above.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
