import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../src/errors.js';
import { formatSize, inspectFile, readInputRows, type InputRow, type ReadRowsOptions } from '../../src/intake/read-rows.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/intake/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

let tempDir = '';
beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'imei-intake-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const path = join(tempDir, name);
  await writeFile(path, content);
  return path;
}

async function readAll(path: string, options: ReadRowsOptions = {}): Promise<InputRow[]> {
  const rows: InputRow[] = [];
  for await (const row of readInputRows(path, options)) rows.push(row);
  return rows;
}

const row = (line: number, rawImei: string, serviceId: string | null = null, inputCells?: string[]): InputRow =>
  inputCells === undefined ? { line, rawImei, serviceId } : { line, rawImei, serviceId, inputCells };

describe('readInputRows over fixture files', () => {
  it('UTF-8 with BOM, comma, CRLF', async () => {
    expect(await readAll(fixture('utf8-bom-comma.csv'))).toEqual([
      row(2, '490154203237518', null, ['iPhone 12']),
      row(3, '356938035643809', null, ['Galaxy S21']),
    ]);
    expect(await inspectFile(fixture('utf8-bom-comma.csv'))).toEqual({
      source: 'text',
      encoding: 'utf-8',
      hasBom: true,
      delimiter: ',',
      hasHeader: true,
      imeiColumn: 0,
      serviceColumn: null,
      inputColumns: [{ index: 1, name: 'Model' }],
    });
  });

  it('UTF-8 without BOM, semicolon, extra columns first, "IMEI Number", a Service_ID column', async () => {
    // The other columns, the service column among them, travel with each row for the report.
    expect(await readAll(fixture('utf8-semicolon-service.csv'))).toEqual([
      row(2, '352099001761481', '269', ['Anna', '1,50', '269']),
      row(3, '867520034786532', null, ['Ben', '2,75', '']),
      row(4, '358915051234562', '1739', ['Carl', '1,50', '1739']),
    ]);
    expect(await inspectFile(fixture('utf8-semicolon-service.csv'))).toMatchObject({
      encoding: 'utf-8',
      hasBom: false,
      delimiter: ';',
      imeiColumn: 2,
      serviceColumn: 3,
      inputColumns: [
        { index: 0, name: 'Customer' },
        { index: 1, name: 'Price' },
        { index: 3, name: 'Service_ID' },
      ],
    });
  });

  it.each([
    ['utf16le-tab.txt', 'utf-16le'],
    ['utf16be-tab.txt', 'utf-16be'],
  ])('Excel "Unicode text": %s', async (name, encoding) => {
    expect(await readAll(fixture(name))).toEqual([
      row(2, '490154203237518', '1739', ['iPhone 12', '1739']),
      row(3, '356938035643809', null, ['Galaxy, S21', '']),
    ]);
    expect(await inspectFile(fixture(name))).toEqual({
      source: 'text',
      encoding,
      hasBom: true,
      delimiter: '\t',
      hasHeader: true,
      imeiColumn: 0,
      serviceColumn: 2,
      inputColumns: [
        { index: 1, name: 'Model' },
        { index: 2, name: 'networkId' },
      ],
    });
  });

  it('tab separated without a header: the first column, every row data', async () => {
    // Without a header, the other columns are named by their letters.
    expect(await readAll(fixture('utf8-tab-no-header.txt'))).toEqual([
      row(1, '490154203237518', null, ['iPhone 12']),
      row(2, '12345', null, ['broken']),
      row(3, '356938035643809', null, ['Galaxy']),
    ]);
    expect(await inspectFile(fixture('utf8-tab-no-header.txt'))).toMatchObject({
      delimiter: '\t',
      hasHeader: false,
      inputColumns: [{ index: 1, name: 'column B' }],
    });
  });

  it('quoted and multi-line fields, Excel wrappers, blank and separator-only lines, trailing separators', async () => {
    // The trailing empty column a spreadsheet exported is not kept.
    expect(await readAll(fixture('quoted-multiline.csv'))).toEqual([
      row(2, '490154203237518', null, ['plain, quoted']),
      row(4, '="356938035643809"', null, ['first line\r\nsecond line']),
      row(7, "'352099001761481", null, ['say "hi"']),
      row(9, '35-209900-176148-1', null, ['a\r\nb\r\nc']),
      row(12, '867520034786532'),
    ]);
    expect((await inspectFile(fixture('quoted-multiline.csv'))).inputColumns).toEqual([{ index: 1, name: 'note' }]);
  });

  it('a one-column file without a header, invalid values included', async () => {
    expect(await readAll(fixture('no-header.csv'))).toEqual([
      row(1, '490154203237518'),
      row(2, '12345'),
      row(3, '3.53370E+14'),
      row(5, '356938035643809'),
    ]);
  });
});

describe('readInputRows on generated files', () => {
  it('counts lines across CRLF, LF and CR endings mixed in one file', async () => {
    const path = await tempFile('mixed.csv', 'imei\r\n490154203237518\n\n356938035643809\r352099001761481\r\n');
    expect((await readAll(path)).map((r) => r.line)).toEqual([2, 4, 5]);
  });

  it('counts the line breaks inside quoted fields, LF and CRLF alike', async () => {
    const path = await tempFile('multiline.csv', 'imei,note\n1111111,"a\r\nb\nc"\n\n2222222,"x\r\n\r\ny"\n3333333,z\n');
    expect((await readAll(path)).map((r) => r.line)).toEqual([2, 6, 9]);
  });

  it('reads a headerless file that starts with a title line', async () => {
    const path = await tempFile('titled.csv', 'Phones for unlock\n490154203237518\n356938035643809\n');
    expect((await readAll(path)).map((r) => r.rawImei)).toEqual(['Phones for unlock', '490154203237518', '356938035643809']);
  });

  it('keeps an empty IMEI cell in a row that has other values', async () => {
    const path = await tempFile('gap.csv', 'imei,service\n,269\n490154203237518,\n');
    expect(await readAll(path)).toEqual([row(2, '', '269', ['269']), row(3, '490154203237518', null)]);
  });

  it('stops reading when the consumer breaks out early', async () => {
    const path = await tempFile('early.csv', 'imei\n1111111\n2222222\n3333333\n');
    const seen: string[] = [];
    for await (const input of readInputRows(path)) {
      seen.push(input.rawImei);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['1111111', '2222222']);
  });

  it('streams a 200,000-row file', async () => {
    const rows = 200_000;
    const lines = ['IMEI,service'];
    for (let index = 0; index < rows; index += 1) lines.push(`${String(350000000000000 + index)},1739`);
    const path = await tempFile('large.csv', `${lines.join('\r\n')}\r\n`);
    let count = 0;
    let lastLine = 0;
    for await (const input of readInputRows(path)) {
      count += 1;
      lastLine = input.line;
    }
    expect(count).toBe(rows);
    expect(lastLine).toBe(rows + 1);
  });

  it('reads a large UTF-16BE file whose sample ends mid-row', async () => {
    const lines = ['IMEI\tModel'];
    for (let index = 0; index < 5000; index += 1) lines.push(`${String(350000000000000 + index)}\tGalaxy Ñ 📱 ${index}`);
    const path = await tempFile('large-be.txt', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(lines.join('\r\n'), 'utf16le').swap16()]));
    const rows = await readAll(path);
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toEqual(row(5001, '350000000004999', null, ['Galaxy Ñ 📱 4999']));
  });
});

describe('whole-file refusals', () => {
  async function refusal(path: string, options: ReadRowsOptions = {}): Promise<string> {
    const error: unknown = await readAll(path, options).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(FileRejectedError);
    // inspectFile makes the same checks, bar the ones only a full read can make.
    await expect(inspectFile(path, options)).rejects.toThrow(FileRejectedError);
    return error instanceof Error ? error.message : '';
  }

  it.each([
    ['empty.csv', /empty \(0 bytes\)/],
    ['blank.csv', /empty/],
    ['header-only.csv', /has a header \(IMEI, Service\) but no data rows/],
    ['name-price.csv', /^no IMEI column found: no header names one \(first row: name, price\)/],
    ['prose.txt', /^no IMEI column found/],
    ['service-no-imei.csv', /^no IMEI column found: the header \(service, model\) names none/],
  ])('%s', async (name, message) => {
    expect(await refusal(fixture(name))).toMatch(message);
  });

  it('binary: random bytes with NULs', async () => {
    // A fixed pseudo-random sequence keeps the test deterministic.
    let seed = 42;
    const bytes = Buffer.alloc(4096, 0);
    for (let index = 0; index < bytes.length; index += 1) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      bytes[index] = index % 97 === 0 ? 0 : seed % 256;
    }
    expect(await refusal(await tempFile('random.csv', bytes))).toMatch(/binary data/);
  });

  it('an xlsx workbook saved under a .csv name', async () => {
    const path = await tempFile('book.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]));
    expect(await refusal(path)).toMatch(/Excel \.xlsx/);
  });

  it('too large, before reading it', async () => {
    const message = await refusal(fixture('utf8-bom-comma.csv'), { maxFileBytes: 50 });
    expect(message).toBe('file is 70 bytes, over the 50 bytes limit (limits.maxFileBytes)');
  });

  it('whole rows of blank or separators only count as empty', async () => {
    expect(await refusal(await tempFile('separators.csv', ',,\n,,,\n\n , \n'))).toMatch(/empty \(no rows\)/);
  });

  it('a quote that is never closed, mid-stream', async () => {
    const path = await tempFile('unclosed.csv', 'imei,note\n490154203237518,ok\n356938035643809,"never closed\n352099001761481,x\n');
    const seen: string[] = [];
    const failure = (async () => {
      for await (const input of readInputRows(path)) seen.push(input.rawImei);
    })();
    await expect(failure).rejects.toThrow(/a quoted field after line 2 is never closed/);
    expect(seen).toEqual(['490154203237518']);
  });
});

describe('formatSize', () => {
  it.each([
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1536, '1.5 KB'],
    [52_428_800, '50.0 MB'],
    [63_124_726, '60.2 MB'],
  ])('%d', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
