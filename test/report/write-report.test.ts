import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS, writeReport, type ReportRow } from '../../src/report/index.js';
import { makeTempDir, readReport, removeDir, sampleRow } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('writeReport', () => {
  it('writes BOM, header, CRLF lines and rows in the given order', async () => {
    const path = join(dir, 'batch.report.csv');
    const rows = [
      sampleRow({ row: 2, imei: '353979106673567' }),
      sampleRow({ row: 3, imei: '356789101234567', status: 'Pending', code: '', orderId: '15556535' }),
      sampleRow({ row: 5, imei: '12345', status: 'Invalid', orderId: '', note: 'not 15 digits' }),
    ];
    const result = await writeReport(path, rows);

    expect(result).toEqual({ rows: 3 });
    const bytes = await readFile(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.split('\r\n')).toHaveLength(5); // header, 3 rows, empty after the final CRLF
    expect(text.replaceAll('\r\n', '')).not.toContain('\n');

    const records = await readReport(path);
    expect(records[0]).toEqual([...REPORT_COLUMNS]);
    expect(records.slice(1).map((record) => record[12])).toEqual(['2', '3', '5']);
    expect(records[1]).toEqual([
      'APPLE FULL INFO',
      '353979106673567',
      '$0.08',
      'Completed',
      'Model: iPhone 11 Purple 64GB - Carrier: Unlocked - SimLock: Unlocked',
      '353979106589748',
      'Unlocked',
      'Unlocked',
      'iPhone 11 Purple 64GB',
      'ON',
      '2024-05-01 10:00:00',
      '15556534',
      '2',
      '',
    ]);
    expect(records[3]?.[3]).toBe('Invalid');
    expect(records[3]?.[13]).toBe('not 15 digits');
  });

  it('defuses formula cells in every column and quotes what needs quoting', async () => {
    const path = join(dir, 'evil.report.csv');
    const evil = sampleRow({
      service: '=cmd|"/c calc"!A1',
      code: '=HYPERLINK("http://x","y")',
      carrier: '+1',
      simlock: '-2',
      model: '@SUM(A1)',
      fmi: '\tON',
      note: 'line one\nline two, with "quotes"',
    });
    await writeReport(path, [evil]);

    const record = (await readReport(path))[1];
    expect(record?.[0]).toBe(`'=cmd|"/c calc"!A1`);
    expect(record?.[4]).toBe(`'=HYPERLINK("http://x","y")`);
    expect(record?.[6]).toBe("'+1");
    expect(record?.[7]).toBe("'-2");
    expect(record?.[8]).toBe("'@SUM(A1)");
    expect(record?.[9]).toBe("'\tON");
    expect(record?.[13]).toBe('line one\nline two, with "quotes"');
  });

  it('writes a header-only report for no rows', async () => {
    const path = join(dir, 'empty.report.csv');
    expect(await writeReport(path, [])).toEqual({ rows: 0 });
    expect(await readReport(path)).toEqual([[...REPORT_COLUMNS]]);
  });

  it('accepts an async iterable', async () => {
    const path = join(dir, 'async.report.csv');
    async function* rows(): AsyncGenerator<ReportRow> {
      for (let row = 2; row < 12; row += 1) {
        await Promise.resolve();
        yield sampleRow({ row });
      }
    }
    expect(await writeReport(path, rows())).toEqual({ rows: 10 });
    expect(await readReport(path)).toHaveLength(11);
  });

  it('replaces an existing report', async () => {
    const path = join(dir, 'batch.report.csv');
    await writeReport(path, [sampleRow({ status: 'Pending' })]);
    await writeReport(path, [sampleRow({ status: 'Completed' })]);
    expect((await readReport(path))[1]?.[3]).toBe('Completed');
    expect(await readdir(dir)).toEqual(['batch.report.csv']);
  });

  it.each([
    ['an async iterable', true],
    ['a sync iterable', false],
  ])('leaves the old report intact and no temp file when %s throws half way', async (_name, isAsync) => {
    const path = join(dir, 'batch.report.csv');
    await writeFile(path, 'the old report\r\n');
    const failure = new Error('database went away');
    function* syncRows(): Generator<ReportRow> {
      for (let row = 2; row < 5000; row += 1) {
        if (row === 2500) throw failure;
        yield sampleRow({ row });
      }
    }
    async function* asyncRows(): AsyncGenerator<ReportRow> {
      yield* syncRows();
    }

    await expect(writeReport(path, isAsync ? asyncRows() : syncRows())).rejects.toBe(failure);
    expect(await readFile(path, 'utf8')).toBe('the old report\r\n');
    expect(await readdir(dir)).toEqual(['batch.report.csv']);
  });

  it('fails without a temp file left when the folder does not exist', async () => {
    const path = join(dir, 'missing', 'batch.report.csv');
    await expect(writeReport(path, [sampleRow()])).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the temp file when the final rename fails', async () => {
    // A folder at the target name cannot be replaced by a file.
    const path = join(dir, 'batch.report.csv');
    await writeFile(join(dir, 'keep.txt'), 'x');
    await mkdir(path);
    await expect(writeReport(path, [sampleRow()])).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['batch.report.csv', 'keep.txt']);
    expect((await stat(path)).isDirectory()).toBe(true);
  });

  it('streams: rows are pulled only as fast as they are written', async () => {
    const path = join(dir, 'big.report.csv');
    const total = 60_000;
    const probeAt = 40_000;
    const bytesPerRow = Buffer.byteLength('APPLE FULL INFO,353979106673567,$0.08,Completed,,,,,,,,,40000,\r\n');
    let writtenAtProbe = -1;
    async function* rows(): AsyncGenerator<ReportRow> {
      for (let index = 0; index < total; index += 1) {
        if (index === probeAt) writtenAtProbe = await temporaryFileSize(dir);
        yield sampleRow({ row: index + 2, code: '', imei2: '', carrier: '', simlock: '', model: '', fmi: '', orderDate: '', orderId: '' });
      }
    }

    expect(await writeReport(path, rows())).toEqual({ rows: total });
    // Buffers between the source and the file hold a few thousand rows at most; without
    // backpressure the source would run far ahead of the file.
    expect(writtenAtProbe).toBeGreaterThan((probeAt - 5_000) * bytesPerRow);
    expect(await readReport(path)).toHaveLength(total + 1);
  });
});

async function temporaryFileSize(folder: string): Promise<number> {
  const temporary = (await readdir(folder)).find((name) => name.includes('.tmp-'));
  if (temporary === undefined) throw new Error('no temporary file while writing');
  return (await stat(join(folder, temporary))).size;
}
