import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { decodingStages } from '../../src/intake/decode.js';
import type { TextEncoding } from '../../src/intake/sniff.js';

/** Sample text with two-byte characters and a surrogate pair, so chunk cuts can split them. */
const SAMPLE = 'IMEI\tModel\r\n490154203237518\tGalaxy Ñ 📱\r\n356938035643809\tPixel é\r\n';

/** Feeds `bytes` through the decoding stages in chunks of the given sizes (cycled). */
async function decodeInChunks(bytes: Buffer, encoding: TextEncoding, sizes: number[]): Promise<string> {
  const chunks: Buffer[] = [];
  for (let offset = 0, turn = 0; offset < bytes.length; turn += 1) {
    const size = sizes[turn % sizes.length] ?? 1;
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  let stream: NodeJS.ReadableStream = Readable.from(chunks, { objectMode: false });
  for (const stage of decodingStages(encoding)) stream = stream.pipe(stage);
  return text(stream);
}

describe('decodingStages', () => {
  it.each([[[1]], [[3]], [[1, 2, 5]], [[7, 4]], [[4096]]])('UTF-16LE in chunks of %j', async (sizes) => {
    expect(await decodeInChunks(Buffer.from(SAMPLE, 'utf16le'), 'utf-16le', sizes)).toBe(SAMPLE);
  });

  it.each([[[1]], [[3]], [[1, 2, 5]], [[7, 4]], [[4096]]])('UTF-16BE in chunks of %j', async (sizes) => {
    const bigEndian = Buffer.from(SAMPLE, 'utf16le').swap16();
    expect(await decodeInChunks(bigEndian, 'utf-16be', sizes)).toBe(SAMPLE);
  });

  it('leaves UTF-8 to csv-parse', () => {
    expect(decodingStages('utf-8')).toEqual([]);
  });
});
