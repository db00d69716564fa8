import { copyFile, lstat, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isTemporaryName } from '../report/atomic-write.js';
import { INBOX_SEARCH_DEPTH, splitInboxPath } from './inbox-paths.js';

/** The files one input becomes in processed/, from its chosen stem. */
export interface ProcessedPaths {
  original: string;
  report: string;
  /** The report as an Excel workbook, beside the CSV. */
  workbook: string;
  summary: string;
}

export function processedPaths(processedDir: string, stem: string, extension: string): ProcessedPaths {
  return {
    original: join(processedDir, `${stem}${extension}`),
    report: join(processedDir, `${stem}.report.csv`),
    workbook: join(processedDir, `${stem}.report.xlsx`),
    summary: join(processedDir, `${stem}.summary.json`),
  };
}

/** Whether something is at `path`; an error other than "not there" (EACCES...) is thrown, not taken for absence. */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}

/**
 * The first stem under which none of the output files exists yet and no other file has been
 * promised: `orders`, then `orders-2`, `orders-3`... Nothing in processed/ is overwritten.
 */
export async function chooseProcessedStem(
  processedDir: string,
  relativePath: string,
  isStemTaken: (stem: string) => boolean,
): Promise<string> {
  const { folder, stem, extension } = splitInboxPath(relativePath);
  for (let n = 1; ; n += 1) {
    const candidate = (folder ? `${folder}/` : '') + (n === 1 ? stem : `${stem}-${n}`);
    if (isStemTaken(candidate)) continue;
    const paths = processedPaths(processedDir, candidate, extension);
    const taken = await Promise.all([exists(paths.original), exists(paths.report), exists(paths.workbook), exists(paths.summary)]);
    if (!taken.some(Boolean)) return candidate;
  }
}

/**
 * Moves the original out of the inbox, byte for byte. Idempotent, so a restart can repeat it:
 * an original already gone from the inbox with its copy in place counts as moved. One that is
 * gone with no copy (someone removed it) is `missing`: there is nothing left to move.
 */
export async function moveOriginal(from: string, to: string): Promise<'moved' | 'missing'> {
  if (!(await exists(from))) {
    return (await exists(to)) ? 'moved' : 'missing';
  }
  await mkdir(join(to, '..'), { recursive: true });
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another file system (a network share): copy, make the copy durable, then remove.
    await copyFile(from, to);
    const handle = await open(to, 'r');
    await handle.sync().finally(() => handle.close());
    await unlink(from);
  }
  return 'moved';
}

/**
 * Removes the hidden temporary files a killed daemon left in processed/ and its subfolders (a
 * report or summary cut off before its rename, a report draft). Run at start, under the folder
 * lock: no other writer can own them. Returns how many were removed.
 */
export async function removeLeftoverTemporaries(processedDir: string): Promise<number> {
  let removed = 0;
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory() && depth > 0) await walk(join(folder, entry.name), depth - 1);
      else if (entry.isFile() && isTemporaryName(entry.name)) {
        await rm(join(folder, entry.name), { force: true });
        removed += 1;
      }
    }
  };
  // Outputs lie as deep as their inputs: refused ones come from as deep as the inbox is searched.
  await walk(processedDir, INBOX_SEARCH_DEPTH);
  return removed;
}
