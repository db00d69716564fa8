import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryPathFor } from '../../src/report/atomic-write.js';
import { removeLeftoverTemporaries } from '../../src/watch/processed-files.js';

describe('removeLeftoverTemporaries', () => {
  let processed: string;

  beforeEach(async () => {
    processed = await mkdtemp(join(tmpdir(), 'imei-processed-'));
  });
  afterEach(async () => {
    await rm(processed, { recursive: true, force: true });
  });

  it('removes the temporary files a killed daemon left, and nothing else', async () => {
    await mkdir(join(processed, '269'));
    const kept = ['orders.csv', 'orders.report.csv', 'orders.summary.json', '.keep', '.orders.report.csv.tmp-notours'];
    for (const name of kept) await writeFile(join(processed, name), 'x');
    await writeFile(join(processed, '269', 'b.report.csv'), 'x');
    const leftovers = [
      temporaryPathFor(join(processed, 'orders.report.csv')),
      temporaryPathFor(join(processed, 'orders.summary.json')),
      temporaryPathFor(join(processed, '269', 'report.csv'), '.draft'),
    ];
    for (const path of leftovers) await writeFile(path, 'half');

    expect(await removeLeftoverTemporaries(processed)).toBe(3);
    expect((await readdir(processed)).sort()).toEqual([...kept, '269'].sort());
    expect(await readdir(join(processed, '269'))).toEqual(['b.report.csv']);
    expect(leftovers.map((path) => basename(path)).every((name) => name.startsWith('.'))).toBe(true);
  });

  it('is content with a processed/ folder that does not exist yet', async () => {
    expect(await removeLeftoverTemporaries(join(processed, 'absent'))).toBe(0);
  });
});
