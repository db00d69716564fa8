import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '../../src/intake/hash.js';

let tempDir = '';
beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'imei-hash-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

const sha256 = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

describe('hashFile', () => {
  it('is the SHA-256 of the bytes, empty file included', async () => {
    const empty = join(tempDir, 'empty.csv');
    await writeFile(empty, '');
    expect(await hashFile(empty)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('reads a file larger than one stream chunk', async () => {
    const content = Buffer.alloc(300_000);
    for (let index = 0; index < content.length; index += 1) content[index] = (index * 31) % 251;
    const path = join(tempDir, 'large.csv');
    await writeFile(path, content);
    expect(await hashFile(path)).toBe(sha256(content));
  });

  it('tells files apart by a single byte', async () => {
    const first = join(tempDir, 'a.csv');
    const second = join(tempDir, 'b.csv');
    await writeFile(first, 'imei\n490154203237518\n');
    await writeFile(second, 'imei\n490154203237518\r\n');
    expect(await hashFile(first)).not.toBe(await hashFile(second));
  });
});
