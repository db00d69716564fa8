import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { benchImei } from '../../src/bench/generate.js';
import { FileRejectedError, ReaderStoppedError } from '../../src/errors.js';
import { readDecidedChunks, type ChunkReadOptions } from '../../src/intake/decided-chunks.js';
import { WorkerRowReader } from '../../src/intake/worker-row-reader.js';
import type { NewRow } from '../../src/store/intake-transitions.js';

// The thread runs the built worker (`npm test` builds first): vitest's TypeScript stays here.
const BUILT_WORKER = new URL('../../dist/intake/row-reader-worker.js', import.meta.url);
const DIES_ONCE = new URL('../fixtures/threads/dies-once.mjs', import.meta.url);

const OPTIONS: ChunkReadOptions = { maxFileBytes: 50 * 1024 * 1024, fallbackServiceId: '269', afterLine: 0, rowsPerChunk: 250 };

let dir = '';
const readers: WorkerRowReader[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imei-reader-'));
});
afterEach(async () => {
  await Promise.all(readers.splice(0).map((reader) => reader.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function newReader(workerUrl = BUILT_WORKER): WorkerRowReader {
  const reader = new WorkerRowReader({ workerUrl });
  readers.push(reader);
  return reader;
}

async function file(name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Every chunk until the end, or the chunks before the error and the error. */
async function drain(chunks: AsyncGenerator<NewRow[]>): Promise<{ chunks: NewRow[][]; error: unknown }> {
  const seen: NewRow[][] = [];
  try {
    for await (const chunk of chunks) seen.push(chunk);
    return { chunks: seen, error: undefined };
  } catch (error) {
    return { chunks: seen, error };
  }
}

const imeis = (count: number, first = 0): string[] => Array.from({ length: count }, (_, i) => benchImei(first, i));

describe('WorkerRowReader', () => {
  it('hands over the same chunks as reading on the calling thread, invalid rows and resume included', async () => {
    const lines = ['IMEI,service', ...imeis(1234).map((imei, i) => (i % 97 === 0 ? `12345,${i % 2 ? '1739' : ''}` : `${imei},`))];
    const path = await file('mixed.csv', lines);
    const reader = newReader();
    for (const options of [OPTIONS, { ...OPTIONS, afterLine: 600, rowsPerChunk: 100 }]) {
      const inThread = await drain(readDecidedChunks(path, options));
      const inWorker = await drain(reader.read(path, options));
      expect(inWorker.error).toBeUndefined();
      expect(inWorker.chunks).toEqual(inThread.chunks);
    }
    const all = (await drain(reader.read(path, OPTIONS))).chunks.flat();
    expect(all).toHaveLength(1234);
    expect(all.filter((row) => row.imei === null)).toHaveLength(13);
  });

  it('refuses a file whole with FileRejectedError, and keeps the rows before a break half-way', async () => {
    const reader = newReader();
    const refused = await drain(reader.read(await file('no-imei.csv', ['name,price', 'a,1']), OPTIONS));
    expect(refused.chunks).toEqual([]);
    expect(refused.error).toBeInstanceOf(FileRejectedError);
    expect((refused.error as Error).message).toMatch(/no IMEI column/);

    const broken = await drain(reader.read(await file('broken.csv', ['IMEI', ...imeis(300), '"35000', ...imeis(10, 5000)]), OPTIONS));
    expect(broken.error).toBeInstanceOf(FileRejectedError);
    expect(broken.chunks.flat().map((row) => row.line)).toEqual(Array.from({ length: 300 }, (_, i) => i + 2));
  });

  it('passes an I/O error on with its errno code (intake tells a vanished file apart)', async () => {
    const { error } = await drain(newReader().read(join(dir, 'never-there.csv'), OPTIONS));
    expect(error).not.toBeInstanceOf(FileRejectedError);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('after a read left early, the next read starts clean', async () => {
    const reader = newReader();
    const big = await file('big.csv', ['IMEI', ...imeis(5000)]);
    for await (const chunk of reader.read(big, OPTIONS)) {
      expect(chunk[0]?.line).toBe(2);
      break;
    }
    const small = await drain(reader.read(await file('small.csv', ['IMEI', ...imeis(3, 9000)]), OPTIONS));
    expect(small.chunks.flat().map((row) => row.imei)).toEqual(imeis(3, 9000));
  });

  it('a thread that dies mid-read fails that read (not as the file\'s fault); the next read gets a new thread', async () => {
    process.env.IMEI_TEST_THREAD = 'intake/row-reader-worker.js';
    process.env.IMEI_TEST_MARKER = join(dir, 'crashed-once');
    const reader = newReader(DIES_ONCE);
    const path = await file('crash.csv', ['IMEI', ...imeis(10)]);
    const first = await drain(reader.read(path, OPTIONS));
    expect(first.error).toBeInstanceOf(ReaderStoppedError);
    const second = await drain(reader.read(path, OPTIONS));
    expect(second.error).toBeUndefined();
    expect(second.chunks.flat()).toHaveLength(10);
  });

  it('close() ends a read in progress and refuses new ones; closing twice is safe', async () => {
    const reader = newReader();
    const chunks = reader.read(await file('closing.csv', ['IMEI', ...imeis(3000)]), { ...OPTIONS, rowsPerChunk: 100 });
    expect((await chunks.next()).done).toBe(false);
    await reader.close();
    await reader.close();
    const rest = await drain(chunks);
    expect(rest.error).toBeInstanceOf(ReaderStoppedError);
    expect((await drain(reader.read(join(dir, 'closing.csv'), OPTIONS))).error).toBeInstanceOf(ReaderStoppedError);
  });
});
