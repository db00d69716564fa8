/**
 * A zip archive written front to back into an open file, for the report workbook (an .xlsx is a
 * zip of XML parts). Entries are deflated as they are written: zlib's deflate streams run in
 * libuv's thread pool, so the main thread only builds text and hands it over, and a part of any
 * size never sits in memory whole. A streamed entry carries its CRC and sizes in a data
 * descriptor after its data (the archive format's way of writing a part whose size is not known
 * up front), which Excel, LibreOffice and every zip reader accept.
 *
 * Not written: zip64. An archive or a part over 4 GiB is refused with an error (the report
 * workbook splits its rows over sheets long before that).
 */
import { once } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';

/** Sizes and offsets the classic zip format can hold (4 bytes each). */
const ZIP32_LIMIT = 0xffff_ffff;
/** General purpose flags: bit 3, sizes in a data descriptor; bit 11, names are UTF-8. */
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_DEFLATE = 8;
const VERSION_NEEDED = 20;

export interface ZipWriterOptions {
  /** zlib level for every entry. Default 6 (zlib's own default). */
  level?: number;
  /** The time stamped on every entry. Default: now. */
  modified?: Date;
}

interface CentralEntry {
  name: Buffer;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: CentralEntry[] = [];
  private readonly level: number;
  private readonly dosTime: number;
  private readonly dosDate: number;
  private open: ZipEntryWriter | undefined;

  constructor(
    private readonly handle: FileHandle,
    options: ZipWriterOptions = {},
  ) {
    this.level = options.level ?? 6;
    [this.dosTime, this.dosDate] = dosDateTime(options.modified ?? new Date());
  }

  /** A whole, small entry (a fixed part of the workbook), deflated at once. */
  async addEntry(name: string, data: string): Promise<void> {
    this.assertNoOpenEntry();
    const bytes = Buffer.from(data, 'utf8');
    const compressed = zlib.deflateRawSync(bytes, { level: this.level });
    const entry: CentralEntry = {
      name: Buffer.from(name, 'utf8'),
      flags: FLAG_UTF8,
      crc: crc32(bytes, 0),
      compressedSize: compressed.length,
      size: bytes.length,
      offset: this.offset,
    };
    await this.append(this.localHeader(entry));
    await this.append(compressed);
    this.entries.push(entry);
  }

  /** Starts an entry written piece by piece; end it before the next one starts. */
  async openEntry(name: string): Promise<ZipEntryWriter> {
    this.assertNoOpenEntry();
    const entry: CentralEntry = {
      name: Buffer.from(name, 'utf8'),
      flags: FLAG_UTF8 | FLAG_DESCRIPTOR,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset: this.offset,
    };
    await this.append(this.localHeader(entry));
    const writer = new ZipEntryWriter(entry, this.level, (bytes) => this.append(bytes), async () => {
      await this.append(dataDescriptor(entry));
      this.entries.push(entry);
      this.open = undefined;
    });
    this.open = writer;
    return writer;
  }

  /** Writes the central directory: the archive is complete once this resolves. */
  async finish(): Promise<void> {
    this.assertNoOpenEntry();
    const start = this.offset;
    for (const entry of this.entries) await this.append(centralHeader(entry, this.dosTime, this.dosDate));
    const size = this.offset - start;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(start, 16);
    await this.append(end);
  }

  private assertNoOpenEntry(): void {
    if (this.open) throw new Error('a zip entry is still being written');
  }

  private localHeader(entry: CentralEntry): Buffer {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION_NEEDED, 4);
    header.writeUInt16LE(entry.flags, 6);
    header.writeUInt16LE(METHOD_DEFLATE, 8);
    header.writeUInt16LE(this.dosTime, 10);
    header.writeUInt16LE(this.dosDate, 12);
    // With a data descriptor, CRC and sizes are zero here and follow the data.
    header.writeUInt32LE(entry.crc, 14);
    header.writeUInt32LE(entry.compressedSize, 18);
    header.writeUInt32LE(entry.size, 22);
    header.writeUInt16LE(entry.name.length, 26);
    return Buffer.concat([header, entry.name]);
  }

  /** Appends bytes at the end of the archive; a write may take fewer bytes than asked. */
  private async append(bytes: Buffer): Promise<void> {
    if (this.offset + bytes.length > ZIP32_LIMIT) throw new Error('the workbook would be larger than 4 GB');
    for (let written = 0; written < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, written, bytes.length - written, this.offset);
      if (bytesWritten <= 0) throw new Error('the workbook file took no more bytes');
      written += bytesWritten;
      this.offset += bytesWritten;
    }
  }
}

/** Compressed bytes waiting for the disk above which `write` waits for them. */
const MAX_PENDING_BYTES = 1024 * 1024;

/**
 * One entry being written. `write` returns a promise only when deflate's buffer is full or the
 * disk is behind: the caller waits for it, so a fast writer never piles text up in memory.
 */
export class ZipEntryWriter {
  private readonly deflate: zlib.DeflateRaw;
  /** Compressed bytes are appended in order, one after another. */
  private appending: Promise<void> = Promise.resolve();
  private pendingBytes = 0;
  private failure: unknown;

  constructor(
    private readonly entry: CentralEntry,
    level: number,
    append: (bytes: Buffer) => Promise<void>,
    private readonly onEnd: () => Promise<void>,
  ) {
    this.deflate = zlib.createDeflateRaw({ level });
    this.deflate.on('data', (chunk: Buffer) => {
      this.entry.compressedSize += chunk.length;
      this.pendingBytes += chunk.length;
      this.appending = this.appending
        .then(() => append(chunk))
        .catch((error: unknown) => {
          this.failure ??= error;
        })
        .finally(() => {
          this.pendingBytes -= chunk.length;
        });
    });
    this.deflate.on('error', (error) => {
      this.failure ??= error;
    });
  }

  write(text: string): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const bytes = Buffer.from(text, 'utf8');
    this.entry.crc = crc32(bytes, this.entry.crc);
    this.entry.size += bytes.length;
    if (this.entry.size > ZIP32_LIMIT) return Promise.reject(new Error('a workbook part would be larger than 4 GB'));
    const taken = this.deflate.write(bytes);
    if (this.pendingBytes > MAX_PENDING_BYTES) return this.appending;
    return taken ? undefined : once(this.deflate, 'drain').then(() => undefined);
  }

  async end(): Promise<void> {
    const ended = once(this.deflate, 'end');
    this.deflate.end();
    // 'end' fires once every compressed byte was read out, so `appending` holds them all after it.
    this.deflate.resume();
    await ended;
    await this.appending;
    if (this.failure !== undefined) throw this.failure;
    await this.onEnd();
  }

  /** Frees zlib's memory when the entry is abandoned. */
  destroy(): void {
    this.deflate.destroy();
  }
}

function dataDescriptor(entry: CentralEntry): Buffer {
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(entry.crc, 4);
  descriptor.writeUInt32LE(entry.compressedSize, 8);
  descriptor.writeUInt32LE(entry.size, 12);
  return descriptor;
}

/** The central directory's record of an entry: where its local header is, and its real sizes. */
function centralHeader(entry: CentralEntry, dosTime: number, dosDate: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(VERSION_NEEDED, 6);
  header.writeUInt16LE(entry.flags, 8);
  header.writeUInt16LE(METHOD_DEFLATE, 10);
  header.writeUInt16LE(dosTime, 12);
  header.writeUInt16LE(dosDate, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(entry.compressedSize, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  header.writeUInt32LE(entry.offset, 42);
  return Buffer.concat([header, entry.name]);
}

/** MS-DOS time and date, as zip headers keep them (local time, two-second steps, from 1980). */
function dosDateTime(date: Date): [number, number] {
  const year = Math.max(date.getFullYear(), 1980);
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2);
  const day = ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  return [time, day];
}

/** zlib's CRC-32 (Node 20.15 and later), or the same computed here on older versions. */
const nativeCrc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

let crcTable: Uint32Array | undefined;

export function crc32(bytes: Buffer, previous: number): number {
  if (nativeCrc32) return nativeCrc32(bytes, previous);
  crcTable ??= makeCrcTable();
  let crc = ~previous >>> 0;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
