import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSummary, temporaryPathFor, writeFileAtomic, writeJsonAtomic } from '../../src/report/index.js';
import { makeTempDir, removeDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('writeJsonAtomic', () => {
  it('writes indented JSON with a final newline, replacing the old file', async () => {
    const path = join(dir, 'batch.summary.json');
    await writeFile(path, '{"old":true}');
    const summary = buildSummary({
      file: 'batch.csv',
      service: '1739',
      rows: 1,
      accepted: 1,
      duplicates: 0,
      invalid: 0,
      failed: 0,
      unconfirmed: 0,
      apiCalls: 1,
      startedAt: null,
      finishedAt: null,
      final: false,
      simulated: true,
    });
    await writeJsonAtomic(path, summary);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(summary);
    expect(await readdir(dir)).toEqual(['batch.summary.json']);
  });

  it('keeps the old file when the value cannot be serialised', async () => {
    const path = join(dir, 'batch.summary.json');
    await writeFile(path, '{"old":true}');
    await expect(writeJsonAtomic(path, { big: 1n })).rejects.toThrow(TypeError);
    expect(await readFile(path, 'utf8')).toBe('{"old":true}');
    expect(await readdir(dir)).toEqual(['batch.summary.json']);
  });
});

describe('writeFileAtomic', () => {
  it('removes the temporary file when the writer fails', async () => {
    const path = join(dir, 'x.csv');
    await expect(
      writeFileAtomic(path, async (handle) => {
        await handle.writeFile('partial');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });

  it('names temporary files hidden, next to the target, and unique', () => {
    const first = temporaryPathFor(join(dir, 'a.report.csv'));
    const second = temporaryPathFor(join(dir, 'a.report.csv'));
    expect(first.startsWith(join(dir, `.a.report.csv.tmp-${process.pid}-`))).toBe(true);
    expect(first).not.toBe(second);
  });
});
