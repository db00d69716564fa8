/**
 * Property: whatever mess a file holds, intake never throws, and a file it accepts is stored as
 * exactly one row per data row, in order, on the right line, each either queued with the very
 * IMEI that was written (however Excel or a person dressed it up) or invalid/duplicate with a
 * note. Files are generated whole (encoding, BOM, delimiter, line ends, header, columns, quoting,
 * blank lines, junk), written to disk and run through the real `intakeFile` into a fresh store.
 *
 * The expected outcome comes from the generator's own knowledge of what it wrote, never from
 * the intake code: line numbers are counted in the written text, IMEIs checked with a Luhn
 * written here, and each messy value carries the reason it must be refused.
 */
import { withTestAccount } from '../store/test-account.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeFile, type IntakeOptions } from '../../src/engine/intake-file.js';
import { imeiHeaderRank, isServiceHeader } from '../../src/intake/header.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';

const OPTIONS: IntakeOptions = { batchSize: 100, defaultServiceId: '1739', maxFileBytes: 52_428_800 };
/** Fixed so a run is repeatable; set FC_SEED to explore other files. */
const SEED = Number(process.env.FC_SEED ?? 7_110_2024);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 100);

type Delimiter = ',' | ';' | '\t';
type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';
type LineEnding = '\r\n' | '\n' | '\r';

/** An IMEI cell as written, and what intake must make of it. */
interface ImeiCell {
  text: string;
  /** The normalised IMEI when the cell is a valid one; null when it must be refused. */
  imei: string | null;
  /** What the refusal note must say; unused when `imei` is set. */
  reason: RegExp;
  /** 5+ digits or scientific notation: enough for a headerless file to count as an IMEI list. */
  imeiLike: boolean;
  /** Says nothing at all once Excel's wrappers and spaces are gone. */
  blank: boolean;
}

interface ServiceCell {
  text: string;
  /** The service the row orders under; null for the default. */
  serviceId: string | null;
  /** Not a service id: the row is refused, and stored under this text. */
  garbage: string | null;
}

interface DataRow {
  kind: 'data';
  imei: ImeiCell;
  service: ServiceCell;
  /** One per `other` column. */
  others: string[];
  /** Quote cells that need no quoting, as some writers do. */
  quoteAnyway: boolean[];
  /** Extra empty cells at the end, as hand-edited files have. */
  trailingSeparators: number;
  ending: LineEnding;
}

interface BlankLine {
  kind: 'blank';
  shape: 'empty' | 'spaces' | 'separators' | 'separators-and-spaces';
  width: number;
  ending: LineEnding;
}

type Item = DataRow | BlankLine;
type Column = 'imei' | 'service' | 'other';

interface Header {
  imeiName: string;
  serviceName: string;
  otherNames: string[];
  ending: LineEnding;
}

interface MessyFile {
  delimiter: Delimiter;
  encoding: Encoding;
  /** One ending for the whole file, or each line its own (two exports pasted together). */
  mixedEndings: boolean;
  uniformEnding: LineEnding;
  finalBreak: boolean;
  columns: Column[];
  header: Header | null;
  items: Item[];
}

// --- IMEI values ---------------------------------------------------------------------------

/** Luhn over the first 14 digits, written independently of src/intake. */
function checkDigit(body: string): number {
  let sum = 0;
  for (let index = 0; index < 14; index += 1) {
    let digit = Number(body[index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

function isLuhnValid(digits: string): boolean {
  return /^\d{15}$/.test(digits) && checkDigit(digits) === Number(digits[14]);
}

const digitsArb = (length: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((digits) => digits.join(''));

/** Valid IMEIs; a small pool makes repeats (duplicates) common. */
const validImeiArb: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: digitsArb(14) },
    { weight: 1, arbitrary: fc.constantFrom('35397910667356', '49015420323751', '01234567890123') },
  )
  .map((body) => `${body}${checkDigit(body)}`);

function valid(text: string, imei: string): ImeiCell {
  return { text, imei, reason: /^$/, imeiLike: true, blank: false };
}

function refused(text: string, reason: RegExp, imeiLike: boolean): ImeiCell {
  return { text, imei: null, reason, imeiLike, blank: false };
}

/** The ways people and spreadsheets write a valid IMEI, all of which intake must accept. */
const validCellArb: fc.Arbitrary<ImeiCell> = fc
  .tuple(
    validImeiArb,
    fc.constantFrom('plain', 'dashes', 'spaces', 'formula', 'text-mark', 'padded', 'float', 'scientific', 'quoted'),
  )
  .map(([imei, style]) => {
    const grouped = (separator: string): string =>
      [imei.slice(0, 2), imei.slice(2, 8), imei.slice(8, 14), imei.slice(14)].join(separator);
    switch (style) {
      case 'dashes':
        return valid(grouped('-'), imei);
      case 'spaces':
        return valid(grouped(' '), imei);
      case 'formula':
        return valid(`="${imei}"`, imei);
      case 'text-mark':
        return valid(`'${imei}`, imei);
      case 'padded':
        return valid(` \u00a0${imei}\u200b `, imei);
      case 'float':
        return valid(`${imei}.0`, imei);
      case 'scientific':
        // Full precision keeps every digit; only a leading zero cannot be written this way.
        return imei.startsWith('0') ? valid(imei, imei) : valid(`${imei[0]}.${imei.slice(1)}E+14`, imei);
      case 'quoted':
        return valid(`"${imei}"`, imei);
      default:
        return valid(imei, imei);
    }
  });

/** Values that look like IMEIs and are not, each with the reason the note must give. */
const invalidCellArb: fc.Arbitrary<ImeiCell> = fc.oneof(
  validImeiArb.chain((imei) =>
    fc.integer({ min: 1, max: 9 }).map((shift) => {
      const wrong = `${imei.slice(0, 14)}${(Number(imei[14]) + shift) % 10}`;
      return refused(wrong, /check digit/, true);
    }),
  ),
  // Excel rounding: trailing digits replaced by zeros; by chance the result can still be valid.
  fc.tuple(validImeiArb, fc.integer({ min: 3, max: 9 })).map(([imei, zeros]) => {
    const rounded = `${imei.slice(0, 15 - zeros)}${'0'.repeat(zeros)}`;
    return isLuhnValid(rounded) ? valid(rounded, rounded) : refused(rounded, /check digit/, true);
  }),
  digitsArb(14).map((digits) => refused(digits, /14 digits/, true)),
  digitsArb(16).map((digits) => refused(digits, /16 digits/, true)),
  digitsArb(17).map((digits) => refused(digits, /too long \(17 digits\)/, true)),
  fc.integer({ min: 5, max: 13 }).chain((length) => digitsArb(length).map((digits) => refused(digits, /too short/, true))),
  fc.integer({ min: 1, max: 4 }).chain((length) => digitsArb(length).map((digits) => refused(digits, /too short/, false))),
  // Scientific notation that lost digits, with a decimal point or a decimal comma.
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), digitsArb(5), fc.constantFrom('.', ','), fc.constantFrom('E+14', 'e+14', 'E14'))
    .map(([lead, decimals, point, exponent]) =>
      refused(`${lead}${point}${decimals}${exponent}`, /scientific notation.*digits are lost/, true),
    ),
  digitsArb(14).map((digits) => refused(`${digits}O`, /letters/, false)),
  fc.constantFrom('N/A', 'unknown', 'n.v.', 'TBD', 'x').map((text) => refused(text, /letters/, false)),
  digitsArb(13).map((digits) => refused(`A${digits}`, /MEID/, false)),
  validImeiArb.map((imei) =>
    refused(
      [...imei].map((digit) => String.fromCharCode(0xff10 + Number(digit))).join(''),
      /digits only/,
      false,
    ),
  ),
  fc.tuple(validImeiArb, validImeiArb).map(([first, second]) => refused(`${first} ${second}`, /two IMEIs/, true)),
);

/** Cells that hold nothing: the row is blank unless another cell says something. */
const emptyCellArb: fc.Arbitrary<ImeiCell> = fc
  .constantFrom('', '   ', '=""', "'", '""')
  .map((text) => ({ text, imei: null, reason: /empty IMEI/, imeiLike: false, blank: true }));

const imeiCellArb: fc.Arbitrary<ImeiCell> = fc.oneof(
  { weight: 5, arbitrary: validCellArb },
  { weight: 4, arbitrary: invalidCellArb },
  { weight: 1, arbitrary: emptyCellArb },
);

// --- Other cells ---------------------------------------------------------------------------

const NO_SERVICE: ServiceCell = { text: '', serviceId: null, garbage: null };

const serviceCellArb: fc.Arbitrary<ServiceCell> = fc.constantFrom<ServiceCell>(
  NO_SERVICE,
  NO_SERVICE,
  { text: '1739', serviceId: '1739', garbage: null },
  { text: '269', serviceId: '269', garbage: null },
  { text: ' 269 ', serviceId: '269', garbage: null },
  { text: "'269", serviceId: '269', garbage: null },
  { text: '="269"', serviceId: '269', garbage: null },
  { text: 'abc', serviceId: null, garbage: 'abc' },
  { text: '17 39', serviceId: null, garbage: '17 39' },
);

/** Characters that break naive CSV readers: separators, quotes, line breaks, invisible ones. */
const NASTY = [',', ';', '\t', '"', '""', '\r\n', '\n', '\r', ' ', '\u00a0', '\u200b', '\ufeff', '=', "'", '📱', 'é', '王', 'ß', '\u202e', '٣'];

function isHeaderName(text: string): boolean {
  return imeiHeaderRank(text) !== null || isServiceHeader(text);
}

/**
 * Unicode junk for the columns intake ignores. Always holds a letter or digit, so a row of junk
 * is never blank; never a header name, so a headerless file's first row stays data.
 */
const junkArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom(...NASTY)), { maxLength: 5 }),
    fc.constantFrom('a', 'Z', '7', 'ñ', 'Ж'),
  )
  .map(([pieces, anchor]) => [...pieces, anchor].join(''))
  .filter((text) => !isHeaderName(text));

const otherCellArb: fc.Arbitrary<string> = fc.oneof(fc.constant(''), junkArb);

const endingArb: fc.Arbitrary<LineEnding> = fc.constantFrom('\r\n', '\n', '\r');

/** A header name in random letter case: `iMeI nUMBER`. */
function randomCase(names: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...names), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }))
    .map(([name, upper]) => [...name].map((char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join(''));
}

const headerArb = (otherCount: number): fc.Arbitrary<Header> =>
  fc.record({
    imeiName: randomCase(['imei', 'IMEI', 'Imei Number', 'IMEI No.', 'imei_number', 'IMEI1', 'imei#', 'Device IMEI']),
    serviceName: randomCase(['service', 'Service ID', 'service_id', 'network_id', 'networkId']),
    otherNames: fc.array(fc.oneof(fc.constant(''), junkArb), { minLength: otherCount, maxLength: otherCount }),
    ending: endingArb,
  });

const dataRowArb = (otherCount: number, totalColumns: number): fc.Arbitrary<DataRow> =>
  fc.record({
    kind: fc.constant('data' as const),
    imei: imeiCellArb,
    service: serviceCellArb,
    others: fc.array(otherCellArb, { minLength: otherCount, maxLength: otherCount }),
    quoteAnyway: fc.array(fc.boolean(), { minLength: totalColumns, maxLength: totalColumns }),
    trailingSeparators: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
    ending: endingArb,
  });

const blankLineArb: fc.Arbitrary<BlankLine> = fc.record({
  kind: fc.constant('blank' as const),
  shape: fc.constantFrom('empty', 'spaces', 'separators', 'separators-and-spaces'),
  width: fc.integer({ min: 1, max: 4 }),
  ending: endingArb,
});

const messyFileArb: fc.Arbitrary<MessyFile> = fc
  .record({
    delimiter: fc.constantFrom<Delimiter>(',', ';', '\t'),
    encoding: fc.constantFrom<Encoding>('utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be'),
    mixedEndings: fc.boolean(),
    uniformEnding: endingArb,
    finalBreak: fc.boolean(),
    hasHeader: fc.boolean(),
    hasService: fc.boolean(),
    otherCount: fc.integer({ min: 0, max: 3 }),
  })
  .chain((layout) => {
    // A service column is found only by its header; without a header the IMEI column is first.
    const hasService = layout.hasHeader && layout.hasService;
    const kinds: Column[] = ['imei', ...(hasService ? (['service'] as const) : []), ...Array<Column>(layout.otherCount).fill('other')];
    const columnsArb: fc.Arbitrary<Column[]> = layout.hasHeader
      ? fc.shuffledSubarray(kinds, { minLength: kinds.length, maxLength: kinds.length })
      : fc.constant(kinds);
    return fc.record({
      delimiter: fc.constant(layout.delimiter),
      encoding: fc.constant(layout.encoding),
      mixedEndings: fc.constant(layout.mixedEndings),
      uniformEnding: fc.constant(layout.uniformEnding),
      finalBreak: fc.constant(layout.finalBreak),
      columns: columnsArb,
      header: layout.hasHeader ? headerArb(layout.otherCount) : fc.constant(null),
      items: fc.array(
        fc.oneof(
          { weight: 5, arbitrary: dataRowArb(layout.otherCount, kinds.length) },
          { weight: 1, arbitrary: blankLineArb },
        ),
        { maxLength: 25 },
      ),
    });
  });

// --- Writing the file, and what intake must make of it -------------------------------------

interface ExpectedRow {
  line: number;
  raw_imei: string;
  imei: string | null;
  service_id: string;
  state: 'queued' | 'invalid' | 'duplicate';
}

type ExpectedOutcome =
  | { accepted: true; rows: ExpectedRow[]; notes: RegExp[] }
  | { accepted: false; error: RegExp };

function isBlankRow(row: DataRow): boolean {
  return row.imei.blank && row.service.text === '' && row.others.every((cell) => cell === '');
}

/**
 * One cell in CSV form. Quoted when it must be: holding the delimiter, a quote or a line break,
 * or, in a file's first record, any candidate delimiter: a header-only comma file whose one
 * record holds a bare tab is honestly ambiguous (a person could not tell either), which is not
 * what this property is about. Later rows keep other delimiters bare, as Excel writes them.
 * Excel's `="..."` is left bare too, as Excel writes it.
 */
function csvCell(text: string, delimiter: Delimiter, firstRecord: boolean, quoteAnyway: boolean): string {
  const bareFormula = /^="\d*"$/.test(text) && !quoteAnyway;
  const needsQuotes =
    !bareFormula &&
    (text.includes(delimiter) || text.includes('"') || /[\r\n]/.test(text) || (firstRecord && /[,;\t]/.test(text)));
  return needsQuotes || quoteAnyway ? `"${text.replaceAll('"', '""')}"` : text;
}

function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

interface WrittenFile {
  bytes: Buffer;
  expected: ExpectedOutcome;
}

function writeMessyFile(file: MessyFile): WrittenFile {
  const { delimiter, columns } = file;
  const ending = (own: LineEnding): LineEnding => (file.mixedEndings ? own : file.uniformEnding);
  const lines: { text: string; ending: LineEnding; row: DataRow | null }[] = [];
  // The first record the delimiter sniffer sees: the header, else the first line with content.
  let firstRecordWritten = false;

  const header = file.header;
  if (header !== null) {
    let other = 0;
    const names = columns.map((column) => {
      if (column === 'imei') return header.imeiName;
      if (column === 'service') return header.serviceName;
      other += 1;
      return header.otherNames[other - 1] ?? '';
    });
    lines.push({ text: names.map((name) => csvCell(name, delimiter, true, false)).join(delimiter), ending: header.ending, row: null });
    firstRecordWritten = true;
  }

  const hasServiceColumn = columns.includes('service');
  for (const generated of file.items) {
    // Without a service column the generated service goes unwritten; every row then uses the default.
    const item: Item =
      generated.kind === 'data' && !hasServiceColumn ? { ...generated, service: NO_SERVICE } : generated;
    if (item.kind === 'blank') {
      const separators = delimiter.repeat(item.width);
      const text = {
        empty: '',
        spaces: ' \t '.slice(0, item.width),
        separators,
        'separators-and-spaces': ` ${[...separators].join(' ')} `,
      }[item.shape];
      lines.push({ text, ending: item.ending, row: null });
      continue;
    }
    let other = 0;
    const cells = columns.map((column) => {
      if (column === 'imei') return item.imei.text;
      if (column === 'service') return item.service.text;
      other += 1;
      return item.others[other - 1] ?? '';
    });
    const first = !firstRecordWritten;
    const text =
      cells.map((cell, index) => csvCell(cell, delimiter, first, item.quoteAnyway[index] ?? false)).join(delimiter) +
      delimiter.repeat(item.trailingSeparators);
    if (!isBlankRow(item)) firstRecordWritten = true;
    lines.push({ text, ending: item.ending, row: item });
  }

  let text = '';
  const dataLines: { line: number; row: DataRow }[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.row !== null && !isBlankRow(line.row)) dataLines.push({ line: countLineBreaks(text) + 1, row: line.row });
    text += line.text;
    if (index < lines.length - 1 || file.finalBreak) text += ending(line.ending);
  }
  return { bytes: encode(text, file.encoding), expected: expectedOutcome(file, dataLines) };
}

function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.from(`\ufeff${text}`, 'utf8');
    case 'utf-16le':
      return Buffer.from(`\ufeff${text}`, 'utf16le');
    case 'utf-16be':
      return Buffer.from(`\ufeff${text}`, 'utf16le').swap16();
  }
}

function expectedOutcome(file: MessyFile, dataLines: readonly { line: number; row: DataRow }[]): ExpectedOutcome {
  if (dataLines.length === 0) {
    return { accepted: false, error: file.header === null ? /empty/ : /^the file has a header \([^\r\n]*\) but no data rows$/ };
  }
  if (file.header === null && !dataLines.slice(0, 50).some(({ row }) => row.imei.imeiLike)) {
    return { accepted: false, error: /^no IMEI column found/ };
  }
  const firstLineOf = new Map<string, number>();
  const rows: ExpectedRow[] = [];
  const notes: RegExp[] = [];
  for (const { line, row } of dataLines) {
    const raw = row.imei.text;
    if (row.service.garbage !== null) {
      rows.push({ line, raw_imei: raw, imei: null, service_id: row.service.garbage, state: 'invalid' });
      notes.push(/is not a service id/);
      continue;
    }
    const serviceId = row.service.serviceId ?? OPTIONS.defaultServiceId;
    const imei = row.imei.imei;
    if (imei === null) {
      rows.push({ line, raw_imei: raw, imei: null, service_id: serviceId, state: 'invalid' });
      notes.push(row.imei.reason);
      continue;
    }
    const key = `${imei}/${serviceId}`;
    const earlierLine = firstLineOf.get(key);
    if (earlierLine === undefined) {
      firstLineOf.set(key, line);
      rows.push({ line, raw_imei: raw, imei, service_id: serviceId, state: 'queued' });
      notes.push(/^$/);
    } else {
      rows.push({ line, raw_imei: raw, imei, service_id: serviceId, state: 'duplicate' });
      notes.push(new RegExp(`^same IMEI as row ${earlierLine} of this file$`));
    }
  }
  return { accepted: true, rows, notes };
}

// --- The property --------------------------------------------------------------------------

let tempDir = '';
let fileNumber = 0;
beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'imei-intake-property-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

interface StoredRow extends ExpectedRow {
  note: string;
}

describe('intake of generated messy files', () => {
  it('never throws, and stores every data row once, in order, on its line, with its IMEI or a reason', async () => {
    await fc.assert(
      fc.asyncProperty(messyFileArb, async (file) => {
        const { bytes, expected } = writeMessyFile(file);
        fileNumber += 1;
        const path = join(tempDir, `messy-${fileNumber}.csv`);
        await writeFile(path, bytes);
        const db = openDatabase(join(tempDir, `store-${fileNumber}.sqlite`));
        try {
          const store = withTestAccount(new Store(db));
          // A throw fails the property: a whole-file refusal must come back as an outcome.
          const outcome = await intakeFile(
            store,
            { absolutePath: path, relativePath: `messy-${fileNumber}.csv`, folderServiceId: null },
            OPTIONS,
            silentLogger(),
          );
          const stored = db
            .prepare('SELECT line, raw_imei, imei, service_id, state, note FROM rows WHERE file_id = ? ORDER BY id')
            .all(outcome.fileId) as StoredRow[];

          if (!expected.accepted) {
            expect(outcome.error).toMatch(expected.error);
            // One line, whatever the file held: it goes into logs and the summary.
            expect(outcome.error).not.toMatch(/[\r\n]/);
            expect(stored).toEqual([]);
            return;
          }
          expect(outcome.error).toBeUndefined();
          expect(stored.map(({ note: _note, ...row }) => row)).toEqual(expected.rows);
          for (const [index, row] of stored.entries()) {
            const note = expected.notes[index] ?? /^$/;
            expect(row.note, `note of line ${row.line}`).toMatch(note);
            // Whatever is not queued says why, in words.
            if (row.state !== 'queued') expect(row.note.trim()).not.toBe('');
            if (row.imei !== null) expect(isLuhnValid(row.imei)).toBe(true);
          }
        } finally {
          db.close();
          await rm(path, { force: true });
        }
      }),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  });
});
