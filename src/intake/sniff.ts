/**
 * Looking at the first bytes of a file to learn how to read the rest: the text encoding and the
 * field delimiter. Pure: works on a Buffer the caller read. Refuses what is not text with
 * `FileRejectedError`, naming the likely culprit (a workbook saved under a .csv name is common).
 */
import { FileRejectedError } from '../errors.js';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';
export type Delimiter = ',' | ';' | '\t';

export interface EncodingGuess {
  encoding: TextEncoding;
  /** True when the file starts with a byte order mark. */
  hasBom: boolean;
}

export interface SniffResult extends EncodingGuess {
  delimiter: Delimiter;
  /** True when the sample holds nothing but whitespace (and a BOM). */
  blank: boolean;
}

export interface SniffOptions {
  /** True when the sample is the whole file, so its last line is complete. Default false. */
  complete?: boolean;
}

/** How many bytes of a file the sniffers need to see. */
export const SNIFF_SAMPLE_BYTES = 64 * 1024;

/** Above this share of control characters a "text" is binary data. Text files have ~none. */
const MAX_CONTROL_RATIO = 0.02;
/** How many leading records the delimiter vote looks at. */
const DELIMITER_SAMPLE_RECORDS = 20;
/** Characters that say nothing about a record's content: whitespace and the candidate delimiters. */
const BLANK_OR_DELIMITER = /[\s,;]/;
/** A line that is a blank row whatever the delimiter: blank, or separators only. */
const BLANK_LINE = /^[\s,;]*$/;
/** When delimiters tie, the rarer-in-data one wins: decimal commas occur in semicolon files. */
const DELIMITER_PRIORITY: readonly Delimiter[] = ['\t', ';', ','];

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04] as const;
const OLE2_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0] as const;

const BINARY_SIGNATURES: ReadonlyArray<{ bytes: readonly number[]; what: string }> = [
  {
    bytes: ZIP_SIGNATURE,
    what: 'a zip archive (an Excel .xlsx workbook?), not CSV text: save it as CSV or XLSX',
  },
  {
    bytes: OLE2_SIGNATURE,
    what: 'an old Excel .xls workbook, not CSV text: save it as CSV or XLSX',
  },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document, not CSV text' },
];

/** How a file's records are read: as text (CSV, TXT) or from an Excel workbook. */
export type RecordSourceKind = 'text' | 'workbook';

/**
 * Other zip-based documents, told apart by the names of their first entries (an OpenDocument
 * file must start with its `mimetype` entry; Numbers keeps its data in `Index/*.iwa`).
 */
const OTHER_ZIP_DOCUMENTS: ReadonlyArray<{ marker: string; what: string }> = [
  { marker: 'application/vnd.oasis.opendocument.spreadsheet', what: 'an OpenDocument spreadsheet (.ods)' },
  { marker: 'application/vnd.oasis.opendocument', what: 'an OpenDocument file' },
  { marker: 'Index/Document.iwa', what: 'an Apple Numbers document' },
  { marker: 'word/document.xml', what: 'a Word document' },
];

/**
 * Which record source reads the file, from its first bytes: a zip archive is taken for an Excel
 * workbook (an .xlsx under any name, a `.csv` too: "Save as" keeps the name people type), and
 * whether it really is one is settled when it is opened; anything else is text. Refuses, saying
 * what to do, the documents the daemon cannot read: old `.xls` workbooks, OpenDocument and
 * Numbers files.
 */
export function sniffRecordSource(sample: Buffer): RecordSourceKind {
  // Office's old binary container: an .xls workbook, or any workbook saved with a password.
  if (startsWith(sample, OLE2_SIGNATURE)) {
    throw new FileRejectedError(
      'the file is an old Excel .xls workbook or a password-protected one, which the daemon does not read: ' +
        'save it as CSV or XLSX, without a password',
    );
  }
  if (!startsWith(sample, ZIP_SIGNATURE)) return 'text';
  const names = sample.toString('latin1');
  const other = OTHER_ZIP_DOCUMENTS.find((document) => names.includes(document.marker));
  if (other) throw new FileRejectedError(`the file is ${other.what}, which the daemon does not read: save it as CSV or XLSX`);
  return 'workbook';
}

/** Sniffs encoding, delimiter and blankness from a file's first bytes. */
export function sniff(sample: Buffer, options: SniffOptions = {}): SniffResult {
  const guess = sniffEncoding(sample);
  const text = decodeSample(sample, guess);
  return {
    ...guess,
    delimiter: sniffDelimiter(text, options.complete ?? false),
    blank: text.trim() === '',
  };
}

/**
 * The encoding, from the byte order mark when there is one. Without a BOM, the pattern of NUL
 * bytes tells UTF-16 (every other byte NUL for Latin text) from binary (NULs anywhere);
 * everything else is read as UTF-8, which also reads ASCII.
 */
export function sniffEncoding(sample: Buffer): EncodingGuess {
  for (const signature of BINARY_SIGNATURES) {
    if (startsWith(sample, signature.bytes)) throw new FileRejectedError(`the file is ${signature.what}`);
  }
  if (startsWith(sample, [0xff, 0xfe, 0x00, 0x00]) || startsWith(sample, [0x00, 0x00, 0xfe, 0xff])) {
    throw new FileRejectedError('the file is UTF-32 text, which is not supported: save it as UTF-8');
  }
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return checkedText(sample, { encoding: 'utf-8', hasBom: true });
  if (startsWith(sample, [0xff, 0xfe])) return checkedText(sample, { encoding: 'utf-16le', hasBom: true });
  if (startsWith(sample, [0xfe, 0xff])) return checkedText(sample, { encoding: 'utf-16be', hasBom: true });
  const utf16 = utf16WithoutBom(sample);
  if (utf16 !== null) return checkedText(sample, { encoding: utf16, hasBom: false });
  return checkedText(sample, { encoding: 'utf-8', hasBom: false });
}

/** The sample as text, without its BOM. A character cut at the sample's end is harmless here. */
export function decodeSample(sample: Buffer, guess: EncodingGuess): string {
  const body = sample.subarray(guess.hasBom ? (guess.encoding === 'utf-8' ? 3 : 2) : 0);
  if (guess.encoding === 'utf-8') return body.toString('utf8');
  const even = Buffer.from(body.subarray(0, body.length - (body.length % 2)));
  if (guess.encoding === 'utf-16be') even.swap16();
  return even.toString('utf16le');
}

/**
 * The delimiter, by vote over the first records (quote-aware, so quoted commas do not count):
 * among delimiters present in the first non-empty record, the one under which the file's quotes
 * make sense (fewest quotes left standing mid-field: a quoted `"a;b"` in a comma file opens a
 * field for the comma but is stray text for the semicolon), then whose count per record stays
 * the same in the most records; ties go to tab, then semicolon, then comma. When the first record
 * has none (a one-column header), the delimiter found in the most later records wins, quotes
 * first likewise.
 * With none anywhere the file has one column, and the delimiter is one that splits no record, so
 * that no value gets split; one that lines of only separators use is preferred, so that those
 * lines read as blank; otherwise comma, unless it would split a value.
 * Commas inside Excel's decimal-comma scientific notation (`3,53370E+14`) are not delimiters.
 */
export function sniffDelimiter(text: string, complete: boolean): Delimiter {
  const scans = new Map<Delimiter, DelimiterScan>();
  for (const delimiter of DELIMITER_PRIORITY) {
    const scanned = delimiter === ',' ? maskDecimalCommas(text) : text;
    const scan = scanDelimiter(scanned, delimiter);
    // An incomplete sample cuts its last record short; drop it unless it is all there is.
    if (!complete && scan.perRecord.length > 1) scan.perRecord.pop();
    scans.set(delimiter, scan);
  }
  const countsOf = (delimiter: Delimiter): number[] => scans.get(delimiter)?.perRecord ?? [];
  const fewerStrayQuotes = (delimiter: Delimiter): number => -(scans.get(delimiter)?.strayQuotes ?? 0);

  const inFirstRecord = DELIMITER_PRIORITY.filter((delimiter) => (countsOf(delimiter)[0] ?? 0) > 0);
  if (inFirstRecord.length > 0) {
    return best(inFirstRecord, (delimiter) => {
      const [first, ...rest] = countsOf(delimiter);
      return [fewerStrayQuotes(delimiter), rest.filter((count) => count === first).length];
    });
  }
  const laterVotes = (delimiter: Delimiter): number =>
    countsOf(delimiter).filter((count) => count > 0).length;
  if (DELIMITER_PRIORITY.some((delimiter) => laterVotes(delimiter) > 0)) {
    return best(DELIMITER_PRIORITY, (delimiter) => [fewerStrayQuotes(delimiter), laterVotes(delimiter)]);
  }
  // One column: semicolons and tabs split no record here, nor do commas unless one stands in a
  // decimal-comma number (`3,53370E+14`, masked above). Lines of nothing but separators are blank
  // rows in their own delimiter, so the one they use is preferred (`imei`, `;;`, `353...`).
  // The whole sample, not just the voting records: a `3,53370E+14` on row 30 must not be split.
  const commaSplits = scanDelimiter(text, ',', Infinity).perRecord.some((count) => count > 0);
  const safe: Delimiter[] = commaSplits ? [';', '\t'] : [',', ';', '\t'];
  const blankLines = text.split(/\r\n|\r|\n/).filter((line) => BLANK_LINE.test(line));
  return safe.find((delimiter) => blankLines.some((line) => line.includes(delimiter))) ?? safe[0] ?? ',';
}

/**
 * The candidate with the highest score, scores compared element by element; earlier candidates
 * win ties.
 */
function best(candidates: readonly Delimiter[], score: (delimiter: Delimiter) => readonly number[]): Delimiter {
  let winner = candidates[0] ?? ',';
  let winnerScore = score(winner);
  for (const candidate of candidates.slice(1)) {
    const candidateScore = score(candidate);
    if (compareScores(candidateScore, winnerScore) > 0) {
      winner = candidate;
      winnerScore = candidateScore;
    }
  }
  return winner;
}

function compareScores(left: readonly number[], right: readonly number[]): number {
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

interface DelimiterScan {
  /** The delimiter's count outside quotes in each non-blank record. */
  perRecord: number[];
  /** Quotes that, read with this delimiter, stand mid-field as plain text. */
  strayQuotes: number;
}

/**
 * Delimiter counts for the first `maxRecords` non-blank records of the text, reading quotes the
 * way csv-parse does with `relax_quotes`: a quote opens a quoted field only at the field's start,
 * `""` inside it is a literal quote, and line breaks inside it do not end the record.
 * A record of nothing but whitespace and candidate delimiters is blank for every delimiter and
 * casts no vote: otherwise a stray `\t` or `;;` line above a comma file's header would be "the
 * first record" for that delimiter alone and win the vote, and the whole file would be misread.
 */
function scanDelimiter(text: string, delimiter: Delimiter, maxRecords = DELIMITER_SAMPLE_RECORDS): DelimiterScan {
  const perRecord: number[] = [];
  let strayQuotes = 0;
  let count = 0;
  let hasContent = false;
  let atFieldStart = true;
  let quoting = false;
  for (let index = 0; index < text.length && perRecord.length < maxRecords; index += 1) {
    const char = text[index];
    if (quoting) {
      if (char !== '"') continue;
      if (text[index + 1] === '"') index += 1;
      else quoting = false;
    } else if (char === '"' && atFieldStart) {
      quoting = true;
      hasContent = true;
      atFieldStart = false;
    } else if (char === delimiter) {
      count += 1;
      atFieldStart = true;
    } else if (char === '\n' || char === '\r') {
      if (hasContent) perRecord.push(count);
      count = 0;
      hasContent = false;
      atFieldStart = true;
    } else {
      if (char === '"') strayQuotes += 1;
      if (!BLANK_OR_DELIMITER.test(char ?? ' ')) hasContent = true;
      atFieldStart = false;
    }
  }
  if (hasContent && perRecord.length < maxRecords) perRecord.push(count);
  return { perRecord, strayQuotes };
}

/** Replaces the comma of `3,53370E+14` so it does not count as a delimiter. */
function maskDecimalCommas(text: string): string {
  return text.replace(/(\d),(\d+[eE][+-]?\d+)/g, '$1.$2');
}

/** Refuses binary data that passed for text so far: NULs, or too many control characters. */
function checkedText(sample: Buffer, guess: EncodingGuess): EncodingGuess {
  const text = decodeSample(sample, guess);
  let controls = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0) throw new FileRejectedError('the file holds binary data (NUL bytes), not CSV text');
    if (isControl(code)) controls += 1;
  }
  if (text.length > 0 && controls / text.length > MAX_CONTROL_RATIO) {
    throw new FileRejectedError('the file holds binary data (control characters), not CSV text');
  }
  return guess;
}

/** Control characters other than the tab, line feed, form feed and carriage return of text. */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) || code === 0x7f;
}

/**
 * UTF-16 without a BOM, recognised by its NUL pattern: Latin text in UTF-16LE has a NUL in
 * (nearly) every odd byte and almost none in the even ones; BE the other way round.
 */
function utf16WithoutBom(sample: Buffer): TextEncoding | null {
  const pairs = Math.min(Math.floor(sample.length / 2), 512);
  if (pairs < 2) return null;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let pair = 0; pair < pairs; pair += 1) {
    if (sample[2 * pair] === 0) evenNuls += 1;
    if (sample[2 * pair + 1] === 0) oddNuls += 1;
  }
  if (oddNuls >= 0.9 * pairs && evenNuls <= 0.1 * pairs) return 'utf-16le';
  if (evenNuls >= 0.9 * pairs && oddNuls <= 0.1 * pairs) return 'utf-16be';
  return null;
}

function startsWith(sample: Buffer, bytes: readonly number[]): boolean {
  return sample.length >= bytes.length && bytes.every((byte, index) => sample[index] === byte);
}
