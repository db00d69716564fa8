/**
 * `POST /api/upload?name=FILE[&service=ID]`: the request body is the file. It is written to a
 * hidden temporary name in the inbox (which the watcher ignores), synced, then linked to its
 * real name, exactly as a careful copy into the inbox would land; the daemon takes it from there
 * as from any dropped file (same limits, same report). The name is a bare file name: a path, a
 * hidden or temporary name, or an extension the inbox does not read is refused (400), so an
 * upload can never land outside the inbox. A name already in the inbox gets a suffix
 * (`orders-2.csv`): an upload never replaces a file waiting there.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { UploadRefusedError } from '../errors.js';
import { classifyInboxPath, splitInboxPath } from '../watch/inbox-paths.js';

export interface UploadOptions {
  inboxDir: string;
  maxFileBytes: number;
}

export interface UploadedFile {
  /** The name it got (a suffix when the name was taken). */
  name: string;
  /** Where it is, relative to the inbox: `269/orders.csv`. */
  file: string;
  bytes: number;
}

const MAX_NAME_BYTES = 200;
/** Suffixes tried for a taken name before the upload is refused. */
const MAX_SUFFIX = 999;

/** The file name as given, checked; throws UploadRefusedError (400) with the reason. */
export function checkUploadName(inboxDir: string, name: string | null, service: string | null): { name: string; folder: string } {
  if (name === null || name.trim() === '') throw new UploadRefusedError(400, 'name the file: ?name=FILE.csv');
  if (/[/\\]/.test(name) || name === '.' || name === '..') {
    throw new UploadRefusedError(400, 'the name must be a file name, without a folder or path');
  }
  // Control characters (a newline in a name breaks logs and shell scripts) and NUL.
  if (/[\x00-\x1f\x7f]/.test(name)) throw new UploadRefusedError(400, 'the name holds control characters');
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new UploadRefusedError(400, `the name is longer than ${MAX_NAME_BYTES} bytes`);
  if (service !== null && service !== '' && !/^\d{1,10}$/.test(service)) {
    throw new UploadRefusedError(400, 'service must be a numeric service id such as 1739');
  }
  const folder = service ?? '';
  // The inbox's own rules decide, so an upload is read exactly when a dropped file would be.
  const verdict = classifyInboxPath(inboxDir, join(inboxDir, folder, name));
  if (verdict.kind === 'ignored') throw new UploadRefusedError(400, `the inbox would not read a file named so (${verdict.reason})`);
  const refusal = (verdict.entry as { refusal?: string }).refusal;
  if (refusal !== undefined) throw new UploadRefusedError(400, refusal);
  return { name, folder };
}

/** Inside the inbox, whatever happened to the name on its way here. */
function insideInbox(inboxDir: string, path: string): boolean {
  const root = resolve(inboxDir) + sep;
  return resolve(path).startsWith(root);
}

async function writeBody(request: IncomingMessage, path: string, maxBytes: number): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o644 });
  let bytes = 0;
  try {
    await new Promise<void>((done, fail) => {
      request.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          request.pause();
          fail(new UploadRefusedError(413, `the file is larger than limits.maxFileBytes (${maxBytes} bytes)`));
          return;
        }
        if (!out.write(chunk)) {
          request.pause();
          out.once('drain', () => request.resume());
        }
      });
      request.on('end', () => done());
      request.on('error', fail);
      request.on('aborted', () => fail(new Error('the upload was cut off')));
      out.on('error', fail);
    });
  } finally {
    await new Promise<void>((done) => out.end(() => done()));
  }
  // On disk before it gets its real name: the daemon may read it the moment it appears.
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return bytes;
}

/** Links `temporary` to the first free name in `folder`; the daemon sees the file whole, at once. */
async function linkToFreeName(temporary: string, dir: string, name: string): Promise<string> {
  const { stem, extension } = splitInboxPath(name);
  for (let n = 1; n <= MAX_SUFFIX; n += 1) {
    const candidate = n === 1 ? name : `${stem}-${n}${extension}`;
    try {
      await link(temporary, join(dir, candidate));
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new UploadRefusedError(400, `${MAX_SUFFIX} files named like ${name} are waiting in the inbox already`);
}

export async function receiveUpload(
  request: IncomingMessage,
  options: UploadOptions,
  name: string | null,
  service: string | null,
): Promise<UploadedFile> {
  const checked = checkUploadName(options.inboxDir, name, service);
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > options.maxFileBytes) {
    throw new UploadRefusedError(413, `the file is larger than limits.maxFileBytes (${options.maxFileBytes} bytes)`);
  }
  const dir = join(options.inboxDir, checked.folder);
  await mkdir(dir, { recursive: true });
  // Hidden and `.part`: ignored by the watcher until linked to its real name.
  const temporary = join(dir, `.upload-${randomBytes(6).toString('hex')}.part`);
  if (!insideInbox(options.inboxDir, temporary)) throw new UploadRefusedError(400, 'the name must stay inside the inbox');
  try {
    const bytes = await writeBody(request, temporary, options.maxFileBytes);
    const finalName = await linkToFreeName(temporary, dir, checked.name);
    if (!insideInbox(options.inboxDir, join(dir, finalName))) throw new UploadRefusedError(400, 'the name must stay inside the inbox');
    return { name: finalName, file: checked.folder ? `${checked.folder}/${finalName}` : finalName, bytes };
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
