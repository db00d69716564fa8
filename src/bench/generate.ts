/** Input files for the benchmark: distinct IMEIs with correct Luhn check digits, under an `IMEI` header. */
import { open } from 'node:fs/promises';
import { withCheckDigit } from '../simulator/index.js';

/** Lines per write: large enough that writing a million lines takes well under a second. */
const LINES_PER_WRITE = 20_000;

/** A TAC-like prefix; the 12 digits after it count up, so every IMEI is distinct. */
const PREFIX = '35';
const COUNTER_DIGITS = 12;

/** The `index`-th benchmark IMEI of a series starting at `first`. */
export function benchImei(first: number, index: number): string {
  return withCheckDigit(PREFIX + String(first + index).padStart(COUNTER_DIGITS, '0'));
}

/** Writes `IMEI` then `count` IMEIs, one per LF line; returns the file's size in bytes. */
export async function writeImeiCsv(path: string, count: number, first = 0): Promise<number> {
  const handle = await open(path, 'wx');
  let bytes = 0;
  try {
    const header = 'IMEI\n';
    await handle.write(header);
    bytes += header.length;
    for (let start = 0; start < count; start += LINES_PER_WRITE) {
      const end = Math.min(count, start + LINES_PER_WRITE);
      const lines: string[] = [];
      for (let i = start; i < end; i += 1) lines.push(benchImei(first, i));
      const text = `${lines.join('\n')}\n`;
      await handle.write(text);
      bytes += text.length;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return bytes;
}
