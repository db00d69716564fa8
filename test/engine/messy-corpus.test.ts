/**
 * Every file of the messy-input corpus (test/fixtures/messy/, described in its README.md) run
 * through the real intake into a real store: each is either refused whole with a clear error,
 * or stored as one row per data row with the right line, raw cell, normalised IMEI, service and
 * state, and for a refused row a note that says why.
 */
import { withTestAccount } from '../store/test-account.js';
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeFile, type IntakeOptions, type IntakeOutcome } from '../../src/engine/intake-file.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';

const CORPUS = fileURLToPath(new URL('../fixtures/messy/', import.meta.url));
/** Files in the corpus folder that are about the corpus rather than part of it. */
const NOT_INPUT = new Set(['README.md', 'generate.mjs', '.gitattributes']);
const OPTIONS: IntakeOptions = { batchSize: 100, defaultServiceId: '1739', maxFileBytes: 52_428_800 };
const DEFAULT_SERVICE = OPTIONS.defaultServiceId;

interface StoredRow {
  line: number;
  raw_imei: string;
  imei: string | null;
  service_id: string;
  state: string;
  note: string;
}

/** What a stored row must be; `note` is matched as a pattern, since notes are prose. */
interface ExpectedRow {
  line: number;
  raw: string;
  imei: string | null;
  service: string;
  state: 'queued' | 'invalid' | 'duplicate';
  note: RegExp | '';
}

/** `readInPart`: broken half-way; its own test below checks the rows kept. */
type Expectation = { refused: RegExp } | { rows: ExpectedRow[] } | { readInPart: true };

const queued = (line: number, raw: string, imei: string, service = DEFAULT_SERVICE): ExpectedRow => ({
  line,
  raw,
  imei,
  service,
  state: 'queued',
  note: '',
});
const invalid = (line: number, raw: string, note: RegExp, service = DEFAULT_SERVICE): ExpectedRow => ({
  line,
  raw,
  imei: null,
  service,
  state: 'invalid',
  note,
});
const duplicate = (line: number, raw: string, imei: string, note: RegExp, service = DEFAULT_SERVICE): ExpectedRow => ({
  line,
  raw,
  imei,
  service,
  state: 'duplicate',
  note,
});

const A = '353979106673567';
const B = '490154203237518';
const C = '356938035643809';
const D = '352099001761481';
const E = '867520034786532';

const SCIENTIFIC = /scientific notation.*digits are lost/;

const EXPECTED: Record<string, Expectation> = {
  'utf8-bom-comma-crlf.csv': { rows: [queued(2, A, A), queued(3, B, B), queued(4, C, C)] },
  'utf8-semicolon-lf-extra-columns.csv': { rows: [queued(2, A, A), queued(3, B, B), queued(4, C, C)] },
  'utf16le-bom-tab.txt': { rows: [queued(2, A, A), queued(3, B, B), queued(4, C, C)] },
  'utf16be-bom-tab.txt': { rows: [queued(2, A, A), queued(3, B, B), queued(4, C, C)] },
  'mixed-line-endings.csv': { rows: [queued(2, A, A), queued(3, B, B), queued(4, C, C), queued(5, D, D)] },
  // Lines 3-4 and 5-7 are one record each: the line breaks are inside quotes.
  'quoted-fields.csv': { rows: [queued(2, A, A), queued(3, B, B), queued(5, C, C), queued(8, D, D)] },
  'blank-and-separator-lines.csv': { rows: [queued(4, A, A), queued(7, B, B), queued(9, C, C)] },
  'excel-damage.csv': {
    rows: [
      queued(2, `="${A}"`, A),
      queued(3, `'${B}`, B),
      invalid(4, '3.53979E+14', SCIENTIFIC),
      invalid(5, '353979106673000', /^wrong check digit/),
      invalid(6, '353979000000000', /check digit.*Excel rounded/),
      // Every digit survived, so it is the IMEI of line 2 again.
      duplicate(7, '3.53979106673567E+14', A, /same IMEI as row 2/),
      queued(8, `${C}.0`, C),
      queued(9, `="${D}"`, D),
    ],
  },
  'excel-damage-semicolon.csv': {
    rows: [invalid(2, '3,53979E+14', SCIENTIFIC), queued(3, `="${B}"`, B), queued(4, `'${C}`, C)],
  },
  'service-column.csv': {
    rows: [
      queued(2, A, A, '1739'),
      queued(3, B, B, '269'),
      queued(4, C, C, DEFAULT_SERVICE),
      invalid(5, D, /service "abc" is not a service id/, 'abc'),
      queued(6, E, E, '269'),
    ],
  },
  'duplicates.csv': {
    rows: [
      queued(2, A, A),
      queued(3, B, B),
      duplicate(4, '35-397910-667356-7', A, /same IMEI as row 2 of this file/),
      // Same IMEI, another service: a different order.
      queued(5, A, A, '269'),
    ],
  },
  'wrong-lengths-and-characters.csv': {
    rows: [
      invalid(2, '35397910667356', /14 digits/),
      invalid(3, '3539791066735670', /16 digits: an IMEISV/),
      invalid(4, '35397910667356701', /too long \(17 digits\)/),
      invalid(5, '35397910667356A', /contains letters/),
      invalid(6, 'A1000012345678', /MEID/),
      queued(7, '35-397910-667356-7', A),
      duplicate(8, '35 397910 667356 7', A, /same IMEI as row 7/),
      invalid(9, '353979106673568', /wrong check digit \(expected 7\)/),
      invalid(10, `${A} ${B}`, /two IMEIs in one cell/),
      invalid(11, 'N/A', /contains letters/),
      invalid(12, '12345', /too short \(5 digits\)/),
      duplicate(13, `\u00a0${A}\u200b`, A, /same IMEI as row 7/),
      invalid(14, `${A}/1`, /contains "\/": an IMEI is digits only/),
    ],
  },
  'empty-imei-cells.csv': {
    rows: [
      invalid(2, '', /empty IMEI/),
      queued(3, A, A),
      invalid(4, '', /empty IMEI/),
      invalid(5, '=""', /empty IMEI/),
    ],
  },
  // The title lines are skipped like the header: they are not data rows.
  'title-above-header.csv': { rows: [queued(5, A, A), queued(6, B, B)] },
  'excel-sep-line.csv': { rows: [queued(3, A, A), queued(4, B, B)] },
  'stray-blank-lines-above-header.csv': { rows: [queued(4, A, A), queued(5, B, B)] },
  'quoted-separators-first-row.csv': { rows: [queued(1, A, A), queued(2, B, B)] },
  'one-column-separator-lines.csv': { rows: [queued(3, A, A), queued(5, B, B)] },
  'one-column-late-decimal-comma.csv': {
    rows: [
      queued(2, A, A),
      ...Array.from({ length: 23 }, (_, index) => duplicate(index + 3, A, A, /same IMEI as row 2/)),
      invalid(26, '3,53979E+14', SCIENTIFIC),
    ],
  },
  'headerless-tab.txt': { rows: [queued(1, A, A), queued(2, B, B), invalid(3, '12345', /too short/)] },
  'latin1-notes.csv': { rows: [queued(2, A, A), queued(3, B, B)] },

  'empty.csv': { refused: /^the file is empty \(0 bytes\)$/ },
  'whitespace-only.csv': { refused: /^the file is empty \(only blank space\)$/ },
  'separators-only.csv': { refused: /^the file is empty \(no rows\)$/ },
  'header-only.csv': { refused: /^the file has a header \(Imei Number, Service\) but no data rows$/ },
  'header-only-multiline-cell.csv': { refused: /^the file has a header \(IMEI, Model name\) but no data rows$/ },
  'header-then-blank-rows.csv': { refused: /^the file has a header \(IMEI, Model\) but no data rows$/ },
  'price-list.csv': { refused: /^no IMEI column found: no header names one \(first row: name, price\)/ },
  'service-without-imei.csv': { refused: /^no IMEI column found: the header \(service, model\) names none/ },
  // Read as the workbook its first bytes say it is; these few bytes are not one.
  'xlsx-renamed.csv': { refused: /zip archive \(an Excel \.xlsx workbook\?\) that could not be read as a workbook .*save it as CSV or XLSX/ },
  'binary.csv': { refused: /binary data/ },
  'unclosed-quote.csv': { readInPart: true },
};

let tempDir = '';
beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'imei-messy-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

interface IntakeResult {
  outcome: IntakeOutcome;
  rows: StoredRow[];
  fileError: string | null;
}

/** Runs the real intake on one corpus file, each into its own fresh database. */
async function intakeCorpusFile(name: string): Promise<IntakeResult> {
  const db = openDatabase(join(tempDir, `${name}.sqlite`));
  try {
    const store = withTestAccount(new Store(db));
    const outcome = await intakeFile(
      store,
      { absolutePath: join(CORPUS, name), relativePath: name, folderServiceId: null },
      OPTIONS,
      silentLogger(),
    );
    const rows = db
      .prepare('SELECT line, raw_imei, imei, service_id, state, note FROM rows WHERE file_id = ? ORDER BY id')
      .all(outcome.fileId) as StoredRow[];
    const fileError = db.prepare('SELECT error FROM files WHERE id = ?').pluck().get(outcome.fileId) as string | null;
    return { outcome, rows, fileError };
  } finally {
    db.close();
  }
}

describe('the messy corpus', () => {
  it('has an expected outcome for every file in it, and no expectation without a file', async () => {
    const files = (await readdir(CORPUS)).filter((name) => !NOT_INPUT.has(name)).sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it('holds the bytes it claims to (git must not have converted line ends or encodings)', async () => {
    const start = async (name: string): Promise<Buffer> => (await readFile(join(CORPUS, name))).subarray(0, 4);
    expect([...(await start('utf8-bom-comma-crlf.csv')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect([...(await start('utf16le-bom-tab.txt'))]).toEqual([0xff, 0xfe, 0x4d, 0x00]);
    expect([...(await start('utf16be-bom-tab.txt'))]).toEqual([0xfe, 0xff, 0x00, 0x4d]);
    expect((await readFile(join(CORPUS, 'utf8-bom-comma-crlf.csv'), 'latin1')).match(/\r\n/g)).toHaveLength(4);
    expect((await readFile(join(CORPUS, 'utf8-semicolon-lf-extra-columns.csv'), 'latin1')).includes('\r')).toBe(false);
    expect((await readFile(join(CORPUS, 'binary.csv'))).includes(0)).toBe(true);
    expect((await readFile(join(CORPUS, 'empty.csv'))).length).toBe(0);
  });
});

describe('intake of each corpus file', () => {
  const accepted = Object.entries(EXPECTED).flatMap(([name, expectation]) =>
    'rows' in expectation ? [{ name, rows: expectation.rows }] : [],
  );
  const refused = Object.entries(EXPECTED).flatMap(([name, expectation]) =>
    'refused' in expectation ? [{ name, error: expectation.refused }] : [],
  );

  it.each(accepted)('$name: one stored row per data row', async ({ name, rows: expectedRows }) => {
    const { outcome, rows } = await intakeCorpusFile(name);
    expect(outcome.error).toBeUndefined();
    expect(rows.map((row) => row.line)).toEqual(expectedRows.map((row) => row.line));
    for (const [index, expected] of expectedRows.entries()) {
      const stored = rows[index];
      const where = `${name} line ${expected.line}`;
      expect(stored?.raw_imei, where).toBe(expected.raw);
      expect(stored?.imei, where).toBe(expected.imei);
      expect(stored?.service_id, where).toBe(expected.service);
      expect(stored?.state, where).toBe(expected.state);
      if (expected.note === '') expect(stored?.note, where).toBe('');
      else expect(stored?.note, where).toMatch(expected.note);
    }
    expect(outcome.counts).toMatchObject({
      rows: expectedRows.length,
      queued: expectedRows.filter((row) => row.state === 'queued').length,
      invalid: expectedRows.filter((row) => row.state === 'invalid').length,
      duplicates: expectedRows.filter((row) => row.state === 'duplicate').length,
    });
  });

  it.each(refused)('$name: refused whole, with the reason', async ({ name, error }) => {
    const { outcome, rows, fileError } = await intakeCorpusFile(name);
    expect(outcome.error).toMatch(error);
    expect(outcome.counts).toBeUndefined();
    // The reason is recorded on the file (for its summary), and no half-read rows remain.
    expect(fileError).toBe(outcome.error);
    expect(rows).toEqual([]);
  });

  it('unclosed-quote.csv: keeps the rows before the break, and says the rest was not read', async () => {
    // Rows stream to the provider while a file is read, so rows before a break may be ordered
    // already: they are kept and reported, never dropped.
    const { outcome, rows, fileError } = await intakeCorpusFile('unclosed-quote.csv');
    expect(outcome.error).toMatch(/^a quoted field after line 2 is never closed.*the rest of the file was not read$/);
    expect(fileError).toBe(outcome.error);
    expect(rows.map((row) => [row.line, row.imei, row.state])).toEqual([[2, '353979106673567', 'queued']]);
    expect(outcome.counts).toMatchObject({ rows: 1, queued: 1, invalid: 0, duplicates: 0 });
  });
});
