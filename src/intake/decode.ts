/**
 * Stream stages that turn UTF-16 input into the UTF-8 that csv-parse reads. UTF-8 input needs
 * none: csv-parse reads its bytes directly and drops the BOM itself (`bom: true`).
 */
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import type { TextEncoding } from './sniff.js';

/**
 * Swaps each byte pair, turning UTF-16BE into UTF-16LE. A chunk may end in the middle of a pair;
 * its odd byte is carried into the next chunk so no pair is ever split.
 */
export class SwapBytePairs extends Transform {
  private carried: Buffer | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = this.carried === null ? chunk : Buffer.concat([this.carried, chunk]);
    const evenLength = bytes.length - (bytes.length % 2);
    this.carried = evenLength < bytes.length ? Buffer.from(bytes.subarray(evenLength)) : null;
    // Copy before swapping: the chunk's memory belongs to the stream that produced it.
    const swapped = Buffer.from(bytes.subarray(0, evenLength));
    callback(null, swapped.swap16());
  }

  override _flush(callback: TransformCallback): void {
    // A lone final byte is a truncated file; pass it on so the decoder can drop it.
    callback(null, this.carried ?? undefined);
  }
}

/**
 * Decodes UTF-16LE to UTF-8. Node's StringDecoder keeps an odd byte for the next chunk, but it
 * emits the two halves of a surrogate pair (an emoji, say) separately when a chunk ends between
 * them, and each lone half would become U+FFFD in UTF-8; so a trailing high surrogate is held
 * back here until its partner arrives.
 */
export class Utf16LeToUtf8 extends Transform {
  private readonly decoder = new StringDecoder('utf16le');
  private heldHighSurrogate = '';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let text = this.heldHighSurrogate + this.decoder.write(chunk);
    this.heldHighSurrogate = '';
    if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
      this.heldHighSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    callback(null, text === '' ? undefined : Buffer.from(text, 'utf8'));
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.heldHighSurrogate + this.decoder.end();
    callback(null, rest === '' ? undefined : Buffer.from(rest, 'utf8'));
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The stages that bring a file of this encoding to UTF-8 bytes, in pipeline order. */
export function decodingStages(encoding: TextEncoding): Transform[] {
  switch (encoding) {
    case 'utf-8':
      return [];
    case 'utf-16le':
      return [new Utf16LeToUtf8()];
    case 'utf-16be':
      return [new SwapBytePairs(), new Utf16LeToUtf8()];
  }
}
