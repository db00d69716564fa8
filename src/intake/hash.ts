/**
 * The file's identity for the repeat-file check: a file whose bytes were already processed is
 * not submitted again (daemon-contract.md, "Input").
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** SHA-256 of the file's bytes, lower-case hex, read as a stream so memory stays flat. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
