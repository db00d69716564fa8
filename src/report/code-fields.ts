/**
 * Report columns read out of the provider's result text (`code`, see gsmfusion-api.md,
 * `getimeis`). Checker services answer with `Key: Value` pairs separated by ` - `; keys vary
 * by service and values may contain dashes themselves (`T-Mobile USA`, `AT&T - Locked Policy`).
 * Pure: no I/O.
 */

import { plainCodeText } from './code-text.js';

export interface CodeFields {
  model: string;
  carrier: string;
  simlock: string;
  fmi: string;
  imei2: string;
}

type CodeField = keyof CodeFields;

/**
 * Known keys, compared lower-cased with spaces removed so `Sim Lock`, `SIMLOCK` and `SimLock`
 * are one key. Unknown keys are ignored: a checker adds keys we have no column for.
 */
const KEY_ALIASES: ReadonlyMap<string, CodeField> = new Map<string, CodeField>([
  ['model', 'model'],
  ['modelname', 'model'],
  ['modeldescription', 'model'],
  ['device', 'model'],
  ['carrier', 'carrier'],
  ['lockedcarrier', 'carrier'],
  ['initialcarrier', 'carrier'],
  ['network', 'carrier'],
  ['simlock', 'simlock'],
  ['simlockstatus', 'simlock'],
  ['lockstatus', 'simlock'],
  ['findmyiphone', 'fmi'],
  ['findmyiphonestatus', 'fmi'],
  ['fmi', 'fmi'],
  ['fmistatus', 'fmi'],
  ['imei2', 'imei2'],
  ['imei2number', 'imei2'],
]);

/**
 * What a key looks like: up to six words separated by single spaces, each starting with a
 * letter, digit or `(`. A lone `-` is not a word, so a key can never reach back across a
 * ` - ` separator: in `AT&T - Locked Policy - SimLock: Locked` only `SimLock` is a key.
 */
const KEY = String.raw`[A-Za-z0-9][\w/.()&'#+-]*(?: [A-Za-z0-9(][\w/.()&'#+-]*){0,5}`;

/** A pair starts with a key and a colon followed by space or the end (not `http://`). */
const PAIR = new RegExp(String.raw`^(${KEY})\s*:(?:\s+|$)([\s\S]*)$`);

/** ` - ` is a separator only when a key follows it; otherwise it belongs to the value. */
const SEPARATOR = new RegExp(String.raw`\s+-\s+(?=${KEY}\s*:(?:\s|$))`);

interface CodePair {
  key: string;
  value: string;
}

export function emptyCodeFields(): CodeFields {
  return { model: '', carrier: '', simlock: '', fmi: '', imei2: '' };
}

/** Fills the columns it recognises; free text and rejection reasons fill nothing. */
export function parseCodeFields(code: string): CodeFields {
  return codeFieldsOfPlainText(plainCodeText(code));
}

/** parseCodeFields for a code already through plainCodeText (the report needs both). */
export function codeFieldsOfPlainText(plain: string): CodeFields {
  const fields = emptyCodeFields();
  forEachPair(plain, (key, rawValue) => {
    const field = fieldOfKey(key);
    // The first non-empty value wins: checkers that give both `Model` and `Model Description`
    // put the short, spreadsheet-friendly one first. Only a value that can still be used is
    // cleaned: a report parses every Completed row's code, and most keys have no column.
    if (field !== undefined && fields[field] === '') fields[field] = cleanValue(rawValue);
  });
  return fields;
}

/** Every `Key: Value` pair of a code, in order, HTML removed. Text outside pairs is dropped. */
export function codePairs(code: string): CodePair[] {
  const pairs: CodePair[] = [];
  forEachPair(plainCodeText(code), (key, rawValue) => pairs.push({ key, value: cleanValue(rawValue) }));
  return pairs;
}

/** Calls `visit` with each pair of plain code text: its key, and its value as written (see cleanValue). */
function forEachPair(plain: string, visit: (key: string, rawValue: string) => void): void {
  for (const line of plain.split('\n')) {
    for (const segment of line.split(SEPARATOR)) {
      const match = PAIR.exec(segment.trim());
      const key = match?.[1];
      const value = match?.[2];
      if (key !== undefined && value !== undefined) visit(key, value);
    }
  }
}

/**
 * Keys already looked up, with their column or null. Checkers repeat the same dozen keys in
 * every code; the cap keeps a server that invents keys from growing this without end.
 */
const KNOWN_KEYS = new Map<string, CodeField | null>();
const KNOWN_KEYS_CAP = 1_000;

function fieldOfKey(key: string): CodeField | undefined {
  let field = KNOWN_KEYS.get(key);
  if (field === undefined) {
    field = KEY_ALIASES.get(normaliseKey(key)) ?? null;
    if (KNOWN_KEYS.size < KNOWN_KEYS_CAP) KNOWN_KEYS.set(key, field);
  }
  return field ?? undefined;
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/\s+/g, '');
}

/**
 * A value cleanValue leaves as it is: single spaces only between other characters, and no
 * dash at either end. Most values are like that, and one test is cheaper than five rewrites.
 */
const CLEAN_VALUE = /^(?![\s-])(?:\S| (?=\S))*(?<![\s-])$/;

/** A stray dash at either end is a separator fragment (`SimLock: Locked -`), not data. */
function cleanValue(value: string): string {
  if (CLEAN_VALUE.test(value)) return value;
  const trimmed = value
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^-(?:\s+|$)/, '')
    .replace(/(?:^|\s+)-$/, '')
    .trim();
  return /^-+$/.test(trimmed) ? '' : trimmed;
}
