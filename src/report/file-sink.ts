/**
 * A Writable over a FileHandle that leaves the handle open when it finishes. The stream from
 * `filehandle.createWriteStream({ autoClose: false })` never emits `close`, so `pipeline` would
 * wait forever; the owner of the handle needs it open afterwards to fsync it.
 */

import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** Buffered bytes before the sink asks its source to wait (backpressure). */
const HIGH_WATER_MARK = 256 * 1024;

export function fileHandleSink(handle: FileHandle): Writable {
  return new Writable({
    highWaterMark: HIGH_WATER_MARK,
    decodeStrings: true,
    write(chunk: Buffer, _encoding, callback) {
      handle.write(chunk).then(() => callback(), callback);
    },
    // Chunks that queued while a write was in flight go out in one system call: one per CSV
    // record would be a million round trips to the thread pool.
    writev(chunks, callback) {
      const buffers = chunks.map(({ chunk }) => chunk as Buffer);
      handle.writev(buffers).then(() => callback(), callback);
    },
  });
}
